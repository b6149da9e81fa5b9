{#-
  SMR01 admission types of an emergency (unplanned) admission: 20-22 (urgent and
  emergency, old codes) and 30-39 (emergency by route), as in PHS's MSG indicator 1a
  and Core Suite indicators NI-12 and NI-14. `column` is the two-character code.
-#}
{% macro is_emergency_admission(column) -%}
    ({{ column }} between '20' and '22' or {{ column }} between '30' and '39')
{%- endmacro %}
