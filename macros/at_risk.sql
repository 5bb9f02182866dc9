{#- The at-risk rows of a "repeated" rule: per account and day, the subject
    (help topic, failing action) counted most often when that count reaches
    the rule's threshold; ties go to the first subject in alphabetical order. -#}
{% macro top_repeated_subject(counts, subject_column, count_column, rule, rule_name) -%}
    select
        account_id,
        day_number,
        day_ends_at,
        '{{ rule_name }}' as rule_name,
        {{ subject_column }} as rule_subject,
        cast({{ count_column }} as integer) as occurrences
    from (
        select
            {{ counts }}.*,
            row_number() over (
                partition by {{ counts }}.account_id, {{ counts }}.day_number
                order by {{ counts }}.{{ count_column }} desc, {{ counts }}.{{ subject_column }} asc nulls last
            ) as subject_rank
        from {{ counts }}
        cross join {{ rule }}
        where {{ counts }}.{{ count_column }} >= {{ rule }}.threshold
    ) as ranked
    where subject_rank = 1
{%- endmacro %}
