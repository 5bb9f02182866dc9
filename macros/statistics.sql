{#- Statistics for the experiment marts, in plain SQL arithmetic (portable).

    erfc_positive(x): the complementary error function for x >= 0, by
    Abramowitz and Stegun, Handbook of Mathematical Functions (1964),
    formula 7.1.26: erfc(x) = (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) e^(-x^2),
    t = 1 / (1 + p x); absolute error below 1.5e-7. -#}
{% macro erfc_positive(x) -%}
    {%- set t = '(1.0 / (1.0 + 0.3275911 * (' ~ x ~ ')))' -%}
    (
        (
            0.254829592 * {{ t }}
            - 0.284496736 * power({{ t }}, 2)
            + 1.421413741 * power({{ t }}, 3)
            - 1.453152027 * power({{ t }}, 4)
            + 1.061405429 * power({{ t }}, 5)
        ) * exp(-power({{ x }}, 2))
    )
{%- endmacro %}

{#- Two-sided p-value of a standard normal statistic z: P(|Z| >= |z|) = erfc(|z| / sqrt 2). -#}
{% macro two_sided_p_value(z) -%}
    {{ erfc_positive('abs(' ~ z ~ ') / sqrt(2.0)') }}
{%- endmacro %}

{#- Upper tail of the standard normal, P(Z >= z). -#}
{% macro normal_upper_tail(z) -%}
    (case
        when {{ z }} >= 0 then 0.5 * {{ erfc_positive(z ~ ' / sqrt(2.0)') }}
        else 1.0 - 0.5 * {{ erfc_positive('-(' ~ z ~ ') / sqrt(2.0)') }}
    end)
{%- endmacro %}

{#- Upper tail of the chi-square distribution, P(X >= x) for `df` degrees of
    freedom: exact for df = 1 (X is Z squared); otherwise the Wilson-Hilferty
    approximation (1931): (X / df)^(1/3) is about normal with mean
    1 - 2 / (9 df) and variance 2 / (9 df). -#}
{% macro chi_square_upper_tail(x, df) -%}
    (case
        when {{ df }} = 1 then {{ two_sided_p_value('sqrt(' ~ x ~ ')') }}
        when {{ df }} > 1 then {{ normal_upper_tail(
            '((power((' ~ x ~ ') / (' ~ df ~ '), 1.0 / 3) - (1 - 2.0 / (9 * (' ~ df ~ '))))'
            ~ ' / sqrt(2.0 / (9 * (' ~ df ~ '))))'
        ) }}
    end)
{%- endmacro %}
