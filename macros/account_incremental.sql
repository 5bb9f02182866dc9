{#- Account-level incremental models: the int_ models that read every event of
    an account (milestones, funnels, weekly usage) recompute only the accounts
    whose inputs changed since the model last ran, and replace all the rows of
    those accounts (strategy `replace_accounts`). An account is recomputed when
    - an event of it was staged after the model last ran (its `loaded_at` is
      later than the `events_loaded_through` the model stored): a late event,
      a re-delivered landing date, a backfill;
    - it is new, or its sign-up time or configured segment changed (compared
      with the `signed_up_at` and `config_segment` the model stored).
    So a daily run reads the history of the accounts that moved, not of every
    account. What this cannot see needs a `--full-refresh` run: a change to the
    seeds or to the models' SQL, and an event removed from a landing date that
    is re-delivered without it (see the README).
    A model using it has the columns account_id, signed_up_at, config_segment
    and events_loaded_through (from int_as_of), refs int_account_events,
    int_accounts and int_as_of itself, and filters its inputs with
    `where {{ is_account_to_recompute('...account_id') }}`. -#}

{#- The materialization of an account-level model: incremental where the
    engine can delete rows (DuckDB); a table rebuilt whole elsewhere. -#}
{% macro account_level_materialization() -%}
    {{ return(adapter.dispatch('account_level_materialization', 'onboarding')()) }}
{%- endmacro %}

{% macro default__account_level_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#- Spark's Parquet tables cannot delete the rows of some accounts, and there is
    no partition column to overwrite by account: the model is a table there. -#}
{% macro spark__account_level_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- The accounts an incremental run recomputes (a query of account_id). -#}
{% macro accounts_to_recompute() -%}
    select changed_events.account_id
    from {{ ref('int_account_events') }} as changed_events
    where
        changed_events.loaded_at > (
            select max(stored.events_loaded_through) as events_loaded_through
            from {{ this }} as stored
        )
    union
    select accounts.account_id
    from {{ ref('int_accounts') }} as accounts
    left join (
        select distinct
            stored.account_id,
            stored.signed_up_at,
            stored.config_segment
        from {{ this }} as stored
    ) as computed
        on accounts.account_id = computed.account_id
    where
        computed.account_id is null
        or computed.signed_up_at <> accounts.signed_up_at
        or computed.config_segment <> accounts.config_segment
{%- endmacro %}

{#- A condition keeping the rows of the accounts to recompute (all of them
    on a first or full-refresh run). -#}
{% macro is_account_to_recompute(account_id_expression) -%}
    {%- if is_incremental() -%}
        {%- do require_stored_columns(['account_id', 'signed_up_at', 'config_segment', 'events_loaded_through']) -%}
        {{ account_id_expression }} in ({{ accounts_to_recompute() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Incremental strategy `replace_accounts`: delete every row of the accounts
    to recompute (also those that now have no rows), then insert the new
    rows. The set is the one the model's query used: nothing has changed in
    between. -#}
{% macro get_incremental_replace_accounts_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where account_id in ({{ accounts_to_recompute() }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}

{#- A table built by an older version of the project may lack the columns the
    incremental run compares with: fail with what to run instead of a binder
    error. (Not in unit tests, which give `this` as a fixture.) -#}
{% macro require_stored_columns(columns) -%}
    {%- set stored = load_relation(this) if execute and model.resource_type != 'unit_test' else none -%}
    {%- if stored is not none -%}
        {%- set present = adapter.get_columns_in_relation(stored) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = columns | reject('in', present) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                this ~ " was built by an older version of this project (missing columns: "
                ~ missing | join(', ') ~ "). Rebuild the account-level models once: "
                ~ "dbt build --full-refresh -s int_account_events+"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
