{#- The onboarding experiment: activation rate per variant, the difference with
    the control and its 95% confidence interval (Wald, unpooled standard
    error), a two-proportion z-test (pooled standard error) and a
    sample-ratio-mismatch check (chi-square goodness of fit of the assigned
    accounts against the planned shares). Statistics: macros/statistics.sql. -#}

with

accounts as (
    select * from {{ ref('fct_account_onboarding') }}
    where onboarding_variant is not null
),

variants as (
    select * from {{ ref('dim_experiment_variants') }}
),

observed as (
    select
        onboarding_variant as variant,
        count(*) as assigned_accounts,
        {{ count_if('is_activation_window_mature') }} as mature_accounts,
        {{ count_if('is_activation_window_mature and is_activated_in_window') }} as activated_accounts
    from accounts
    group by onboarding_variant
),

arms as (
    select
        coalesce(variants.variant, observed.variant) as variant,
        variants.variant is not null as is_configured,
        coalesce(variants.is_control, false) as is_control,
        variants.planned_share,
        coalesce(observed.assigned_accounts, 0) as assigned_accounts,
        coalesce(observed.mature_accounts, 0) as mature_accounts,
        coalesce(observed.activated_accounts, 0) as activated_accounts,
        {{ safe_rate('observed.activated_accounts', 'observed.mature_accounts') }} as activation_rate
    from variants
    full outer join observed
        on variants.variant = observed.variant
),

control as (
    select
        mature_accounts as control_mature_accounts,
        activated_accounts as control_activated_accounts,
        activation_rate as control_activation_rate
    from arms
    where is_control
),

sample_ratio as (
    select
        sum(assigned_accounts) as assigned_accounts,
        sum(
            power(assigned_accounts - planned_share * total_assigned, 2) / (planned_share * total_assigned)
        ) as chi_square,
        count(*) - 1 as degrees_of_freedom
    from (
        select
            assigned_accounts,
            planned_share,
            sum(assigned_accounts) over () as total_assigned
        from arms
        where is_configured
    ) as configured
    where total_assigned > 0
),

compared as (
    select
        arms.*,
        control.control_activation_rate,
        arms.activation_rate - control.control_activation_rate as difference,
        sqrt(
            arms.activation_rate * (1 - arms.activation_rate) / arms.mature_accounts
            + control.control_activation_rate * (1 - control.control_activation_rate)
            / control.control_mature_accounts
        ) as difference_standard_error,
        cast(arms.activated_accounts + control.control_activated_accounts as double)
        / nullif(arms.mature_accounts + control.control_mature_accounts, 0) as pooled_rate,
        control.control_mature_accounts
    from arms
    -- The control's own row gets no comparison (every statistic below is null).
    left join control
        on not arms.is_control
),

tested as (
    select
        compared.*,
        compared.difference / nullif(
            sqrt(
                compared.pooled_rate * (1 - compared.pooled_rate)
                * (
                    1 / cast(compared.mature_accounts as double)
                    + 1 / cast(compared.control_mature_accounts as double)
                )
            ),
            0
        ) as z_score
    from compared
),

final as (
    select
        tested.variant,
        tested.is_control,
        tested.is_configured,
        tested.planned_share,
        tested.assigned_accounts,
        tested.mature_accounts,
        tested.activated_accounts,
        tested.activation_rate,
        tested.control_activation_rate,
        round(tested.difference, 6) as difference,
        round(tested.difference - 1.959964 * tested.difference_standard_error, 6) as difference_ci_low,
        round(tested.difference + 1.959964 * tested.difference_standard_error, 6) as difference_ci_high,
        round(tested.z_score, 6) as z_score,
        round({{ two_sided_p_value('tested.z_score') }}, 6) as p_value,
        {{ two_sided_p_value('tested.z_score') }} < 0.05 as is_significant,
        round(sample_ratio.chi_square, 6) as sample_ratio_chi_square,
        round({{ chi_square_upper_tail('sample_ratio.chi_square', 'sample_ratio.degrees_of_freedom') }}, 6)
            as sample_ratio_p_value,
        {{ chi_square_upper_tail('sample_ratio.chi_square', 'sample_ratio.degrees_of_freedom') }} < 0.001
            as has_sample_ratio_mismatch
    from tested
    left join sample_ratio
        on true
)

select * from final
