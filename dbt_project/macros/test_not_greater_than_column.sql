{#- Generic test: the column is never greater than another column of the same row (a part of a whole). -#}
{% test not_greater_than_column(model, column_name, other) %}
select *
from {{ model }}
where {{ column_name }} > {{ other }}
{% endtest %}
