{#- Generic test: the column equals another column of the same row. -#}
{% test equals_column(model, column_name, other) %}
select *
from {{ model }}
where {{ column_name }} is distinct from {{ other }}
{% endtest %}
