CREATE TEMP TABLE hier_closure AS
WITH RECURSIVE chain(payee_id, manager_id, depth, valid_from, valid_to) AS (
  SELECT payee_id, manager_id, 1, effective_from, COALESCE(effective_to, DATE '9999-12-31')
  FROM in_hierarchy
  UNION ALL
  SELECT c.payee_id, h.manager_id, c.depth + 1, GREATEST(c.valid_from, h.effective_from),
    LEAST(c.valid_to, COALESCE(h.effective_to, DATE '9999-12-31'))
  FROM chain c JOIN in_hierarchy h ON h.payee_id = c.manager_id
    AND h.effective_from < c.valid_to AND COALESCE(h.effective_to, DATE '9999-12-31') > c.valid_from
  WHERE c.depth < 20
)
SELECT payee_id, manager_id, depth, valid_from, valid_to FROM chain WHERE valid_from < valid_to;

CREATE TEMP TABLE p0_tx AS
SELECT t."transaction_id",
  t."payee_id",
  ((t."amount") * (CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 10)) ELSE fx.rate END)) AS "amount",
  t."currency",
  t."booked_on",
  t."closed_on",
  t."invoiced_on",
  t."paid_on",
  ((t."collected_amount") * (CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 10)) ELSE fx.rate END)) AS "collected_amount",
  t."status",
  t."cancelled_on",
  t."type",
  t."product",
  t."product_family",
  t."account_id",
  t."territory_id",
  t."quantity",
  t.amount AS source_amount, t.currency AS source_currency, CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 10)) ELSE fx.rate END AS fx_rate,
  t.booked_on AS credit_on, DIV((CAST(EXTRACT(YEAR FROM t.booked_on) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM t.booked_on) AS BIGINT) - 1) - 0, 3) AS pp, CAST(NULL AS BIGINT) AS cancel_pp, CAST(NULL AS DECIMAL(38, 10)) AS claw_factor,
  k.tx_no
FROM in_transactions t
JOIN (SELECT transaction_id, ROW_NUMBER() OVER (ORDER BY transaction_id) AS tx_no FROM in_transactions) k ON k.transaction_id = t.transaction_id
LEFT JOIN in_fx_rates fx ON fx.from_currency = t.currency AND fx.to_currency = 'USD'
  AND fx.effective_from <= t.booked_on AND t.booked_on < COALESCE(fx.effective_to, DATE '9999-12-31')
WHERE t.booked_on >= DATE '2026-01-01' AND t.booked_on < DATE '2026-04-01';

CREATE TEMP TABLE p0_points AS
SELECT 8104 AS pp, '2026-Q1' AS period_id, '2026-Q1' AS period_key, DATE '2026-01-01' AS start_on, DATE '2026-04-01' AS end_on, TRUE AS in_run, 24312 AS mi_start, 24315 AS mi_end, 8104 AS q_idx, 24312 AS q_mi_start, 24315 AS q_mi_end, 2026 AS y_idx, 24312 AS y_mi_start, 24324 AS y_mi_end;

CREATE TEMP TABLE p0_rule_0 AS
SELECT t.transaction_id, t.tx_no, t.payee_id, 'owner' AS credit_reason, 'owner_1' AS rule_id, 0 AS rule_index, CAST(1 AS DECIMAL(38, 8)) AS credit_percent, CAST(NULL AS VARCHAR) AS source_payee_id, CAST(NULL AS BIGINT) AS source_rule
FROM p0_tx t
LEFT JOIN (SELECT DISTINCT transaction_id FROM in_splits) s ON s.transaction_id = t.transaction_id
WHERE t.payee_id IS NOT NULL AND s.transaction_id IS NULL AND TRUE;

CREATE TEMP TABLE p0_rule_1 AS
SELECT t.transaction_id, t.tx_no, s.payee_id, 'split' AS credit_reason, 'split_2' AS rule_id, 1 AS rule_index, s.split_percent AS credit_percent, CAST(NULL AS VARCHAR) AS source_payee_id, CAST(NULL AS BIGINT) AS source_rule
FROM p0_tx t JOIN in_splits s ON s.transaction_id = t.transaction_id
WHERE TRUE;

CREATE TEMP TABLE p0_credits_raw AS
SELECT transaction_id, tx_no, payee_id, credit_reason, rule_id, rule_index, credit_percent, source_payee_id, source_rule FROM p0_rule_0 r
UNION ALL
SELECT transaction_id, tx_no, payee_id, credit_reason, rule_id, rule_index, credit_percent, source_payee_id, source_rule FROM p0_rule_1 r
WHERE NOT EXISTS (SELECT 1 FROM (
  SELECT tx_no, payee_id FROM p0_rule_0
) e WHERE e.tx_no = r.tx_no AND e.payee_id = r.payee_id);

CREATE TEMP TABLE p0_assign AS
SELECT a.payee_id, GREATEST(a.effective_from, DATE '0001-01-01') AS effective_from, LEAST(a.effective_to, COALESCE(NULL, DATE '9999-12-31'), COALESCE(pe.terminated_on, DATE '9999-12-31')) AS effective_to FROM (
SELECT payee_id, effective_from, COALESCE(effective_to, DATE '9999-12-31') AS effective_to FROM in_plan_assignments WHERE plan_id = 'glossary_marginal'
UNION ALL
SELECT payee_id, DATE '0001-01-01' AS effective_from, COALESCE(NULL, DATE '9999-12-31') AS effective_to FROM (
  SELECT payee_id FROM in_payees UNION SELECT payee_id FROM p0_credits_raw
  UNION SELECT payee_id FROM in_quotas UNION SELECT payee_id FROM in_mbo_scores
) x
WHERE NOT EXISTS (SELECT 1 FROM in_plan_assignments WHERE plan_id = 'glossary_marginal')
) a
LEFT JOIN in_payees pe ON pe.payee_id = a.payee_id
WHERE GREATEST(a.effective_from, DATE '0001-01-01') < LEAST(a.effective_to, COALESCE(NULL, DATE '9999-12-31'), COALESCE(pe.terminated_on, DATE '9999-12-31'));

CREATE TEMP TABLE p0_payee_keys AS
SELECT payee_id, ROW_NUMBER() OVER (ORDER BY payee_id) AS payee_no FROM (
  SELECT payee_id FROM p0_credits_raw UNION SELECT payee_id FROM p0_assign
) k;

CREATE TEMP TABLE p0_credits AS
SELECT (CAST(c.transaction_id AS TEXT) || CAST('/' AS TEXT) || CAST(c.payee_id AS TEXT) || CAST('/' AS TEXT) || CAST(c.rule_index AS TEXT) || CAST('/' AS TEXT) || CAST(COALESCE(c.source_payee_id, '') AS TEXT)) AS credit_id, c.transaction_id, c.payee_id, c.credit_reason, c.rule_id, c.rule_index, c.source_payee_id, c.credit_percent, t.credit_on, t.pp, t.source_amount, t.source_currency, t.fx_rate, ((t.amount) * (c.credit_percent)) AS amount, t.cancel_pp, t.claw_factor, t.tx_no, ((CASE c.rule_index WHEN 0 THEN 0 WHEN 1 THEN 1 END) * 2147483648 + COALESCE(sk.payee_no, 0)) * 2 + COALESCE(CASE c.source_rule WHEN 0 THEN 0 WHEN 1 THEN 1 END, 0) AS credit_key
FROM p0_credits_raw c JOIN p0_tx t ON t.tx_no = c.tx_no
JOIN p0_assign a ON a.payee_id = c.payee_id AND a.effective_from <= t.credit_on AND t.credit_on < a.effective_to
LEFT JOIN p0_payee_keys sk ON sk.payee_id = c.source_payee_id;

CREATE TEMP TABLE p0_mv AS
SELECT c.credit_id, c.transaction_id, c.payee_id, c.credit_reason, c.credit_on, c.pp, c.cancel_pp, c.claw_factor, c.credit_percent, c.tx_no, c.credit_key, 'bookings' AS measure_id, ((COALESCE(CAST(t."amount" AS DECIMAL(38, 14)), CAST(0 AS DECIMAL(38, 14)))) * (c.credit_percent)) AS value
FROM p0_credits c JOIN p0_tx t ON t.tx_no = c.tx_no
WHERE TRUE;

CREATE TEMP TABLE p0_quota_rows AS
SELECT q.payee_id, q.measure_id, m.q_mi_start, m.q_mi_start + m.months AS q_mi_end, m.months, CAST(q.quota_amount AS DECIMAL(38, 10)) AS quota_amount
FROM in_quotas q JOIN (SELECT '2026' AS period_id, 24312 AS q_mi_start, 12 AS months
UNION ALL SELECT '2026-01' AS period_id, 24312 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-02' AS period_id, 24313 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-03' AS period_id, 24314 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-M01' AS period_id, 24312 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-M02' AS period_id, 24313 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-M03' AS period_id, 24314 AS q_mi_start, 1 AS months
UNION ALL SELECT '2026-Q1' AS period_id, 24312 AS q_mi_start, 3 AS months) m ON m.period_id = q.period_id
LEFT JOIN in_payees pe ON pe.payee_id = q.payee_id
WHERE q.plan_id IS NULL OR q.plan_id = 'glossary_marginal';

CREATE TEMP TABLE p0_active AS
SELECT x.payee_id, x.pp, SUM(x.days) AS active_days, MAX(x.period_days) AS period_days
FROM (
  SELECT a.payee_id, pt.pp, GREATEST(CAST(0 AS DECIMAL(38, 10)), CAST((LEAST(LEAST(a.effective_to, COALESCE(pe.terminated_on, COALESCE(NULL, DATE '9999-12-31'))), pt.end_on)) - (GREATEST(a.effective_from, pt.start_on)) AS DECIMAL(38, 10))) AS days, CAST((pt.end_on) - (pt.start_on) AS DECIMAL(38, 10)) AS period_days
  FROM p0_assign a CROSS JOIN p0_points pt LEFT JOIN in_payees pe ON pe.payee_id = a.payee_id
  UNION ALL
  SELECT a.payee_id, pt.pp, -GREATEST(CAST(0 AS DECIMAL(38, 10)), CAST((LEAST(LEAST(LEAST(a.effective_to, COALESCE(pe.terminated_on, COALESCE(NULL, DATE '9999-12-31'))), COALESCE(l.effective_to, DATE '9999-12-31')), pt.end_on)) - (GREATEST(GREATEST(a.effective_from, l.effective_from), pt.start_on)) AS DECIMAL(38, 10))) AS days, CAST((pt.end_on) - (pt.start_on) AS DECIMAL(38, 10)) AS period_days
  FROM p0_assign a JOIN in_leaves l ON l.payee_id = a.payee_id CROSS JOIN p0_points pt
  LEFT JOIN in_payees pe ON pe.payee_id = a.payee_id
) x GROUP BY x.payee_id, x.pp;

CREATE TEMP TABLE p0_mp AS
SELECT m.*, ROUND(CAST(m.to_date_value AS DECIMAL(38, 10)) / NULLIF(CAST(m.quota_amount AS DECIMAL(38, 10)), 0), 10) AS attainment
FROM (
SELECT g.payee_id, 'bookings' AS measure_id, 'period_to_date' AS accumulate, g.pp, g.period_id, g.in_run, g.to_date_value, g.period_value, COALESCE((SELECT SUM(q.quota_amount) FROM p0_quota_rows q WHERE q.payee_id = g.payee_id AND q.measure_id = 'bookings' AND q.q_mi_start >= g.ws AND q.q_mi_end <= g.we), (SELECT SUM(ROUND(CAST(((q.quota_amount) * ((g.we - g.ws))) AS DECIMAL(38, 10)) / NULLIF(CAST(q.months AS DECIMAL(38, 10)), 0), 10)) FROM p0_quota_rows q WHERE q.payee_id = g.payee_id AND q.measure_id = 'bookings' AND q.q_mi_start <= g.ws AND q.q_mi_end >= g.we AND q.months > (g.we - g.ws))) AS quota_amount
FROM (
  SELECT a.payee_id, pt.pp, pt.period_id, pt.in_run, pt.pp AS sidx, pt.mi_start AS ws, pt.mi_end AS we,
    COALESCE(SUM(v.value), CAST(0 AS DECIMAL(38, 22))) AS to_date_value,
    COALESCE(SUM(CASE WHEN v.pp = pt.pp THEN v.value END), CAST(0 AS DECIMAL(38, 22))) AS period_value
  FROM (SELECT DISTINCT payee_id FROM p0_assign) a CROSS JOIN p0_points pt
  LEFT JOIN p0_mv v ON v.payee_id = a.payee_id AND v.measure_id = 'bookings' AND v.pp = pt.pp AND v.pp <= pt.pp
  GROUP BY a.payee_id, pt.pp, pt.period_id, pt.in_run, pt.pp, pt.mi_start, pt.mi_end
) g
UNION ALL SELECT g.payee_id, 'bookings' AS measure_id, 'quarter_to_date' AS accumulate, g.pp, g.period_id, g.in_run, g.to_date_value, g.period_value, COALESCE((SELECT SUM(q.quota_amount) FROM p0_quota_rows q WHERE q.payee_id = g.payee_id AND q.measure_id = 'bookings' AND q.q_mi_start >= g.ws AND q.q_mi_end <= g.we), (SELECT SUM(ROUND(CAST(((q.quota_amount) * ((g.we - g.ws))) AS DECIMAL(38, 10)) / NULLIF(CAST(q.months AS DECIMAL(38, 10)), 0), 10)) FROM p0_quota_rows q WHERE q.payee_id = g.payee_id AND q.measure_id = 'bookings' AND q.q_mi_start <= g.ws AND q.q_mi_end >= g.we AND q.months > (g.we - g.ws))) AS quota_amount
FROM (
  SELECT a.payee_id, pt.pp, pt.period_id, pt.in_run, pt.q_idx AS sidx, pt.q_mi_start AS ws, pt.q_mi_end AS we,
    COALESCE(SUM(v.value), CAST(0 AS DECIMAL(38, 22))) AS to_date_value,
    COALESCE(SUM(CASE WHEN v.pp = pt.pp THEN v.value END), CAST(0 AS DECIMAL(38, 22))) AS period_value
  FROM (SELECT DISTINCT payee_id FROM p0_assign) a CROSS JOIN p0_points pt
  LEFT JOIN p0_mv v ON v.payee_id = a.payee_id AND v.measure_id = 'bookings' AND v.pp = pt.q_idx AND v.pp <= pt.pp
  GROUP BY a.payee_id, pt.pp, pt.period_id, pt.in_run, pt.q_idx, pt.q_mi_start, pt.q_mi_end
) g
) m;

CREATE OR REPLACE TEMP VIEW p0_c0_base AS
SELECT v.credit_id, v.transaction_id, v.payee_id, v.credit_reason, v.credit_on, v.cancel_pp, v.claw_factor, v.credit_percent, v.tx_no, v.credit_key, pt.pp, v.value AS v_at
FROM p0_mv v JOIN p0_points pt ON v.pp = pt.q_idx AND v.pp <= pt.pp
WHERE v.measure_id = 'bookings';

CREATE TEMP TABLE p0_c0_days AS
SELECT x.*, CASE WHEN x.n > 1 AND (x.day_min < 0 OR (x.day_before < CAST(((CAST(CAST('1' AS DECIMAL(18, 0)) AS DECIMAL(38, 6))) * (x.quota_amount)) AS DECIMAL(38, 22)) AND CAST(((CAST(CAST('1' AS DECIMAL(18, 0)) AS DECIMAL(38, 6))) * (x.quota_amount)) AS DECIMAL(38, 22)) < (x.day_before + x.day_value))) THEN 1 ELSE 0 END AS split_day, CAST(((CAST(CAST('1' AS DECIMAL(18, 0)) AS DECIMAL(38, 6))) * (x.quota_amount)) AS DECIMAL(38, 22)) AS edge_0 FROM (
SELECT g.payee_id, g.pp, g.credit_on, g.day_value, g.day_min, g.n, COALESCE(SUM(g.day_value) OVER (PARTITION BY g.payee_id, g.pp ORDER BY g.credit_on ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), CAST(0 AS DECIMAL(38, 22))) AS day_before,
  SUM(g.day_value) OVER (PARTITION BY g.payee_id, g.pp) AS total, q.quota_amount, q.attainment, q.to_date_value AS scope_to_date
FROM (
  SELECT b.payee_id, b.pp, b.credit_on, SUM(b.v_at) AS day_value, MIN(b.v_at) AS day_min, COUNT(*) AS n
  FROM p0_c0_base b GROUP BY b.payee_id, b.pp, b.credit_on
) g
LEFT JOIN p0_mp q ON q.payee_id = g.payee_id AND q.pp = g.pp AND q.measure_id = 'bookings' AND q.accumulate = 'quarter_to_date'
) x;

CREATE OR REPLACE TEMP VIEW p0_c0_pos AS
SELECT b.*, dd.day_before AS cum_before, dd.total, dd.quota_amount, dd.attainment, dd.scope_to_date, dd.edge_0
FROM p0_c0_base b JOIN p0_c0_days dd ON dd.payee_id = b.payee_id AND dd.pp = b.pp AND dd.credit_on = b.credit_on
WHERE dd.split_day = 0
UNION ALL
SELECT b.*, CAST(dd.day_before + COALESCE(SUM(b.v_at) OVER (PARTITION BY b.payee_id, b.pp, b.credit_on ORDER BY b.tx_no, b.credit_key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), CAST(0 AS DECIMAL(38, 22))) AS DECIMAL(38, 22)) AS cum_before, dd.total, dd.quota_amount, dd.attainment, dd.scope_to_date, dd.edge_0
FROM p0_c0_base b JOIN p0_c0_days dd ON dd.payee_id = b.payee_id AND dd.pp = b.pp AND dd.credit_on = b.credit_on
WHERE dd.split_day = 1;

CREATE TEMP TABLE p0_c0 AS
SELECT x.payee_id AS payee_id, x.pp AS pp, x.pp AS scope_idx, x.credit_id AS credit_id, x.transaction_id AS transaction_id, x.credit_reason AS credit_reason, x.v_at AS measure_value, x.total AS basis_to_date, x.quota_amount AS quota_amount, x.attainment AS attainment, x.label AS tier, CAST(x.rate AS DECIMAL(38, 10)) AS rate, x.cancel_pp AS cancel_pp, x.claw_factor AS claw_factor, CASE WHEN TRUE THEN ((x.slice) * (x.rate)) ELSE CAST(0 AS DECIMAL(38, 28)) END AS to_date_amount, x.tx_no AS tx_no, x.credit_key AS credit_key, x.tier_key AS tier_key
FROM (SELECT p.*, t.tier_index, t.tier_key, t.label, t.amount, t.rate AS rate, CASE WHEN p.tier_lo = p.tier_hi THEN p.v_at ELSE (CASE WHEN p.v_at < 0 THEN -1 ELSE 1 END * (LEAST(GREATEST(p.cum_before, p.cum_before + p.v_at), COALESCE(CAST(((t.t_to) * (p.quota_amount)) AS DECIMAL(38, 22)), GREATEST(p.cum_before, p.cum_before + p.v_at))) - CASE WHEN t.tier_index = 0 THEN LEAST(p.cum_before, p.cum_before + p.v_at) ELSE GREATEST(LEAST(p.cum_before, p.cum_before + p.v_at), CAST(((t.t_from) * (p.quota_amount)) AS DECIMAL(38, 22))) END)) END AS slice, CAST(((t.t_from) * (p.quota_amount)) AS DECIMAL(38, 22)) AS t_from_u, CAST(((t.t_to) * (p.quota_amount)) AS DECIMAL(38, 22)) AS t_to_u
FROM (SELECT p.*, CASE WHEN p.quota_amount > 0 THEN CASE WHEN LEAST(p.cum_before, p.cum_before + p.v_at) >= p.edge_0 THEN 1 ELSE 0 END ELSE 0 END AS tier_lo, CASE WHEN p.quota_amount > 0 THEN CASE WHEN GREATEST(p.cum_before, p.cum_before + p.v_at) > p.edge_0 THEN 1 ELSE 0 END ELSE 1 END AS tier_hi FROM p0_c0_pos p) p JOIN (SELECT 0 AS tier_index, 1 AS tier_key, CAST(CAST('0' AS DECIMAL(18, 0)) AS DECIMAL(38, 6)) AS t_from, CAST(CAST('1' AS DECIMAL(18, 0)) AS DECIMAL(38, 6)) AS t_to, CAST(CAST('0.05' AS DECIMAL(18, 2)) AS DECIMAL(38, 6)) AS rate, CAST(0 AS DECIMAL(38, 6)) AS amount, '1' AS label
UNION ALL SELECT 1 AS tier_index, 2 AS tier_key, CAST(CAST('1' AS DECIMAL(18, 0)) AS DECIMAL(38, 6)) AS t_from, CAST(NULL AS DECIMAL(38, 6)) AS t_to, CAST(CAST('0.12' AS DECIMAL(18, 2)) AS DECIMAL(38, 6)) AS rate, CAST(0 AS DECIMAL(38, 6)) AS amount, '2' AS label) t ON t.tier_index BETWEEN p.tier_lo AND p.tier_hi AND p.v_at <> 0 AND (p.tier_lo = p.tier_hi OR ((t.tier_index = 0 OR GREATEST(p.cum_before, p.cum_before + p.v_at) > CAST(((t.t_from) * (p.quota_amount)) AS DECIMAL(38, 22))) AND (t.t_to IS NULL OR LEAST(p.cum_before, p.cum_before + p.v_at) < CAST(((t.t_to) * (p.quota_amount)) AS DECIMAL(38, 22))) AND p.v_at <> 0))) x
;

CREATE OR REPLACE TEMP VIEW p0_lines_td AS
SELECT CAST(z.line_key AS VARCHAR) AS line_key, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.component_kind AS VARCHAR) AS component_kind, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.pp AS BIGINT) AS pp, CAST(z.scope_months AS BIGINT) AS scope_months, CAST(z.scope_idx AS BIGINT) AS scope_idx, CAST(z.credit_id AS VARCHAR) AS credit_id, CAST(z.transaction_id AS VARCHAR) AS transaction_id, CAST(z.credit_reason AS VARCHAR) AS credit_reason, CAST(z.measure_id AS VARCHAR) AS measure_id, CAST(z.measure_value AS DECIMAL(38, 22)) AS measure_value, CAST(z.basis_to_date AS DECIMAL(38, 22)) AS basis_to_date, CAST(z.quota_amount AS DECIMAL(38, 10)) AS quota_amount, CAST(z.attainment AS DECIMAL(38, 10)) AS attainment, CAST(z.tier AS VARCHAR) AS tier, CAST(z.rate AS DECIMAL(38, 10)) AS rate, CAST(z.multiplier AS DECIMAL(38, 10)) AS multiplier, CAST(z.objective_id AS VARCHAR) AS objective_id, CAST(z.cancel_pp AS BIGINT) AS cancel_pp, CAST(z.claw_factor AS DECIMAL(38, 10)) AS claw_factor, CAST(z.is_held AS BOOLEAN) AS is_held, CAST(z.to_date_amount AS DECIMAL(38, 28)) AS to_date_amount, CAST(z.tx_no AS BIGINT) AS tx_no, CAST(z.credit_key AS BIGINT) AS credit_key, CAST(z.tier_key AS BIGINT) AS tier_key FROM (
SELECT CAST(NULL AS VARCHAR) AS line_key, 'new_business' AS component_id, 'commission' AS component_kind, 'commission' AS line_type, payee_id, pp, 3 AS scope_months, scope_idx, credit_id, transaction_id, credit_reason, 'bookings' AS measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, CAST(1 AS DECIMAL(38, 10)) AS multiplier, CAST(NULL AS VARCHAR) AS objective_id, cancel_pp, claw_factor, TRUE AS is_held, to_date_amount, tx_no, credit_key, tier_key FROM p0_c0
) z(line_key, component_id, component_kind, line_type, payee_id, pp, scope_months, scope_idx, credit_id, transaction_id, credit_reason, measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, multiplier, objective_id, cancel_pp, claw_factor, is_held, to_date_amount, tx_no, credit_key, tier_key);

CREATE OR REPLACE TEMP VIEW p0_earn_diff AS
SELECT l.*, CAST(0 AS DECIMAL(38, 28)) AS prior_amount FROM p0_lines_td l;

CREATE OR REPLACE TEMP VIEW p0_earn_all AS
SELECT d.*, pt.period_id, pt.in_run, (d.to_date_amount - d.prior_amount) AS amount,
  CASE WHEN d.cancel_pp IS NOT NULL AND d.pp = d.cancel_pp AND d.to_date_amount - d.prior_amount < 0 AND d.line_type <> 'cap' THEN 'clawback' ELSE d.line_type END AS kind
FROM (
SELECT CAST(z.line_key AS VARCHAR) AS line_key, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.component_kind AS VARCHAR) AS component_kind, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.pp AS BIGINT) AS pp, CAST(z.scope_months AS BIGINT) AS scope_months, CAST(z.scope_idx AS BIGINT) AS scope_idx, CAST(z.credit_id AS VARCHAR) AS credit_id, CAST(z.transaction_id AS VARCHAR) AS transaction_id, CAST(z.credit_reason AS VARCHAR) AS credit_reason, CAST(z.measure_id AS VARCHAR) AS measure_id, CAST(z.measure_value AS DECIMAL(38, 22)) AS measure_value, CAST(z.basis_to_date AS DECIMAL(38, 22)) AS basis_to_date, CAST(z.quota_amount AS DECIMAL(38, 10)) AS quota_amount, CAST(z.attainment AS DECIMAL(38, 10)) AS attainment, CAST(z.tier AS VARCHAR) AS tier, CAST(z.rate AS DECIMAL(38, 10)) AS rate, CAST(z.multiplier AS DECIMAL(38, 10)) AS multiplier, CAST(z.objective_id AS VARCHAR) AS objective_id, CAST(z.cancel_pp AS BIGINT) AS cancel_pp, CAST(z.claw_factor AS DECIMAL(38, 10)) AS claw_factor, CAST(z.is_held AS BOOLEAN) AS is_held, CAST(z.to_date_amount AS DECIMAL(38, 28)) AS to_date_amount, CAST(z.tx_no AS BIGINT) AS tx_no, CAST(z.credit_key AS BIGINT) AS credit_key, CAST(z.tier_key AS BIGINT) AS tier_key, CAST(z.prior_amount AS DECIMAL(38, 28)) AS prior_amount FROM (
SELECT line_key, component_id, component_kind, line_type, payee_id, pp, scope_months, scope_idx, credit_id, transaction_id, credit_reason, measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, multiplier, objective_id, cancel_pp, claw_factor, is_held, to_date_amount, tx_no, credit_key, tier_key, prior_amount FROM p0_earn_diff
) z(line_key, component_id, component_kind, line_type, payee_id, pp, scope_months, scope_idx, credit_id, transaction_id, credit_reason, measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, multiplier, objective_id, cancel_pp, claw_factor, is_held, to_date_amount, tx_no, credit_key, tier_key, prior_amount)
) d JOIN p0_points pt ON pt.pp = d.pp;

CREATE TEMP TABLE p0_pay_lines AS
SELECT g.payee_id, g.component_id, g.pp, g.line_type, SUM(g.plan_amount) AS plan_amount, SUM(g.held_amount) AS held_amount, NULL AS draw_balance_amount, MAX(g.transaction_ids) AS transaction_ids, SUM(g.line_count) AS line_count FROM (
SELECT CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.pp AS BIGINT) AS pp, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.plan_amount AS DECIMAL(38, 28)) AS plan_amount, CAST(z.held_amount AS DECIMAL(38, 28)) AS held_amount, CAST(z.draw_balance_amount AS DECIMAL(38, 28)) AS draw_balance_amount, CAST(z.transaction_ids AS VARCHAR) AS transaction_ids, CAST(z.line_count AS BIGINT) AS line_count FROM (
SELECT x.payee_id, x.component_id, x.pp, x.line_type, SUM(x.plan_amount) AS plan_amount, SUM(x.held_amount) AS held_amount, NULL AS draw_balance_amount, STRING_AGG(x.transaction_id, ';' ORDER BY x.tx_no) AS transaction_ids, SUM(x.line_count) AS line_count FROM (
SELECT e.payee_id, e.component_id, r.pp, CASE WHEN e.pp = r.pp THEN 'earning' WHEN e.pp < 8104 AND r.pp = 8104 THEN 'true_up' ELSE 'release' END AS line_type, e.tx_no, MAX(e.transaction_id) AS transaction_id, SUM(e.amount) AS plan_amount, SUM(CAST(0 AS DECIMAL(38, 28))) AS held_amount, COUNT(*) AS line_count
FROM p0_earn_all e JOIN p0_points r ON r.in_run AND e.pp <= r.pp
WHERE e.amount <> 0 AND (e.pp = r.pp OR (e.pp < 8104 AND r.pp = 8104))
GROUP BY e.payee_id, e.component_id, r.pp, CASE WHEN e.pp = r.pp THEN 'earning' WHEN e.pp < 8104 AND r.pp = 8104 THEN 'true_up' ELSE 'release' END, e.tx_no
) x GROUP BY x.payee_id, x.component_id, x.pp, x.line_type
) z(payee_id, component_id, pp, line_type, plan_amount, held_amount, draw_balance_amount, transaction_ids, line_count)
UNION ALL
SELECT CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.pp AS BIGINT) AS pp, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.plan_amount AS DECIMAL(38, 28)) AS plan_amount, CAST(z.held_amount AS DECIMAL(38, 28)) AS held_amount, CAST(z.draw_balance_amount AS DECIMAL(38, 28)) AS draw_balance_amount, CAST(z.transaction_ids AS VARCHAR) AS transaction_ids, CAST(z.line_count AS BIGINT) AS line_count FROM (
SELECT p.payee_id, COALESCE(p.component_id, '') AS component_id, 8104 AS pp, 'true_up' AS line_type, -CAST(SUM(p.amount) AS DECIMAL(38, 28)) AS plan_amount, CAST(0 AS DECIMAL(38, 28)) AS held_amount, NULL AS draw_balance_amount, NULL AS transaction_ids, 0 AS line_count
FROM in_prior_payouts p JOIN p0_points pt ON p.period_id IN (pt.period_id, pt.period_key) AND pt.pp < 8104
WHERE p.plan_id = 'glossary_marginal'
GROUP BY p.payee_id, COALESCE(p.component_id, '')
) z(payee_id, component_id, pp, line_type, plan_amount, held_amount, draw_balance_amount, transaction_ids, line_count)
) g GROUP BY g.payee_id, g.component_id, g.pp, g.line_type
HAVING SUM(g.plan_amount) <> 0 OR SUM(g.held_amount) <> 0;

CREATE TEMP TABLE p0_pay_fx AS
SELECT u.*, r.period_id, COALESCE(pe.currency, 'USD') AS currency, (r.end_on - 1) AS rate_on,
  CASE WHEN COALESCE(pe.currency, 'USD') = 'USD' THEN CAST(1 AS DECIMAL(38, 10)) ELSE fx.rate END AS fx_rate
FROM (SELECT CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.pp AS BIGINT) AS pp, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.plan_amount AS DECIMAL(38, 28)) AS plan_amount, CAST(z.held_amount AS DECIMAL(38, 28)) AS held_amount, CAST(z.draw_balance_amount AS DECIMAL(38, 28)) AS draw_balance_amount, CAST(z.transaction_ids AS VARCHAR) AS transaction_ids, CAST(z.line_count AS BIGINT) AS line_count FROM (
SELECT payee_id, component_id, pp, line_type, plan_amount, held_amount, draw_balance_amount, transaction_ids, line_count FROM p0_pay_lines
) z(payee_id, component_id, pp, line_type, plan_amount, held_amount, draw_balance_amount, transaction_ids, line_count)) u JOIN p0_points r ON r.pp = u.pp
LEFT JOIN in_payees pe ON pe.payee_id = u.payee_id
LEFT JOIN in_fx_rates fx ON fx.from_currency = 'USD' AND fx.to_currency = pe.currency AND fx.effective_from <= (r.end_on - 1) AND (r.end_on - 1) < COALESCE(fx.effective_to, DATE '9999-12-31');

CREATE TEMP TABLE p0_pay_amounts AS
SELECT f.*, CASE WHEN f.fx_rate = 1 THEN f.plan_amount ELSE ((CAST(f.plan_amount AS DECIMAL(38, 18))) * (f.fx_rate)) END AS amount FROM p0_pay_fx f;

CREATE TEMP TABLE p0_payouts AS
SELECT CAST(z.plan_id AS VARCHAR) AS plan_id, CAST(z.plan_version AS BIGINT) AS plan_version, CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.period_id AS VARCHAR) AS period_id, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.plan_amount AS DECIMAL(38, 28)) AS plan_amount, CAST(z.plan_currency AS VARCHAR) AS plan_currency, CAST(z.fx_rate AS DECIMAL(38, 10)) AS fx_rate, CAST(z.amount AS DECIMAL(38, 28)) AS amount, CAST(z.currency AS VARCHAR) AS currency, CAST(z.held_amount AS DECIMAL(38, 28)) AS held_amount, CAST(z.draw_balance_amount AS DECIMAL(38, 28)) AS draw_balance_amount, CAST(z.transaction_ids AS VARCHAR) AS transaction_ids, CAST(z.line_count AS BIGINT) AS line_count FROM (
SELECT 'glossary_marginal' AS plan_id, 1 AS plan_version, a.payee_id, a.period_id, a.component_id, a.line_type, a.plan_amount, 'USD' AS plan_currency, a.fx_rate, a.amount, a.currency, a.held_amount, a.draw_balance_amount, a.transaction_ids, a.line_count
FROM p0_pay_amounts a
) z(plan_id, plan_version, payee_id, period_id, component_id, line_type, plan_amount, plan_currency, fx_rate, amount, currency, held_amount, draw_balance_amount, transaction_ids, line_count)
UNION ALL
SELECT CAST(z.plan_id AS VARCHAR) AS plan_id, CAST(z.plan_version AS BIGINT) AS plan_version, CAST(z.payee_id AS VARCHAR) AS payee_id, CAST(z.period_id AS VARCHAR) AS period_id, CAST(z.component_id AS VARCHAR) AS component_id, CAST(z.line_type AS VARCHAR) AS line_type, CAST(z.plan_amount AS DECIMAL(38, 28)) AS plan_amount, CAST(z.plan_currency AS VARCHAR) AS plan_currency, CAST(z.fx_rate AS DECIMAL(38, 10)) AS fx_rate, CAST(z.amount AS DECIMAL(38, 28)) AS amount, CAST(z.currency AS VARCHAR) AS currency, CAST(z.held_amount AS DECIMAL(38, 28)) AS held_amount, CAST(z.draw_balance_amount AS DECIMAL(38, 28)) AS draw_balance_amount, CAST(z.transaction_ids AS VARCHAR) AS transaction_ids, CAST(z.line_count AS BIGINT) AS line_count FROM (
SELECT 'glossary_marginal', 1, c.payee_id, MAX(c.period_id), '', 'rounding', NULL, 'USD', NULL, CAST(CASE WHEN MAX(c.currency) IN ('CLP', 'ISK', 'JPY', 'KRW', 'PYG', 'UGX', 'VND', 'XAF', 'XOF') THEN ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 0) WHEN MAX(c.currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 3) ELSE ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 2) END AS DECIMAL(38, 28)) - SUM(c.amount), MAX(c.currency), CAST(0 AS DECIMAL(38, 28)), NULL, NULL, 0
FROM p0_pay_amounts c GROUP BY c.payee_id, c.pp
HAVING CASE WHEN MAX(c.currency) IN ('CLP', 'ISK', 'JPY', 'KRW', 'PYG', 'UGX', 'VND', 'XAF', 'XOF') THEN ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 0) WHEN MAX(c.currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 3) ELSE ROUND(CAST(SUM(c.amount) AS DECIMAL(38, 10)), 2) END <> SUM(c.amount)
) z(plan_id, plan_version, payee_id, period_id, component_id, line_type, plan_amount, plan_currency, fx_rate, amount, currency, held_amount, draw_balance_amount, transaction_ids, line_count);

-- output credits
SELECT plan_id, plan_version, credit_id, transaction_id, payee_id, credit_reason, rule_id, source_payee_id, credit_percent, credited_on, period_id, source_amount, source_currency, fx_rate, amount, currency FROM (
SELECT plan_id, plan_version, credit_id, transaction_id, payee_id, credit_reason, rule_id, source_payee_id, credit_percent, credited_on, period_id, source_amount, source_currency, fx_rate, amount, currency, ord_1, ord_2, ord_3 FROM (SELECT c.*, 'glossary_marginal' AS plan_id, 1 AS plan_version, 'USD' AS currency, pt.period_id AS period_id, c.credit_on AS credited_on, 0 AS ord_0, (c.pp - 8104) * 4294967296 + c.tx_no AS ord_1, k.payee_no AS ord_2, c.credit_key AS ord_3 FROM p0_credits c JOIN p0_points pt ON pt.pp = c.pp JOIN p0_payee_keys k ON k.payee_id = c.payee_id WHERE pt.in_run) x0
) o ORDER BY ord_1 NULLS FIRST, ord_2 NULLS FIRST, ord_3 NULLS FIRST;

-- output measures
SELECT plan_id, plan_version, payee_id, measure_id, accumulate, period_id, period_value, to_date_value, quota_amount, attainment FROM (
SELECT plan_id, plan_version, payee_id, measure_id, accumulate, period_id, period_value, to_date_value, quota_amount, attainment FROM (SELECT m.*, 'glossary_marginal' AS plan_id, 1 AS plan_version FROM p0_mp m WHERE m.in_run) x0
) o ORDER BY plan_id NULLS FIRST, payee_id NULLS FIRST, measure_id NULLS FIRST, accumulate NULLS FIRST, period_id NULLS FIRST;

-- output earnings
SELECT plan_id, plan_version, payee_id, period_id, component_id, component_kind, line_type, credit_id, transaction_id, credit_reason, measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, multiplier, objective_id, to_date_amount, prior_amount, amount, currency FROM (
SELECT plan_id, plan_version, payee_id, period_id, component_id, component_kind, line_type_out AS line_type, credit_id, transaction_id, credit_reason, measure_id, measure_value, basis_to_date, quota_amount, attainment, tier, rate, multiplier, objective_id, to_date_amount, prior_amount, amount, currency, ord_1, ord_2, ord_3 FROM (SELECT e.*, 'glossary_marginal' AS plan_id, 1 AS plan_version, 'USD' AS currency, e.kind AS line_type_out, 0 AS ord_0, (k.payee_no * 1 + e.pp - 8104) * 1 + CASE e.component_id WHEN 'new_business' THEN 0 END AS ord_1, e.tx_no AS ord_2, ((DIV(COALESCE(e.credit_key, 0), 2) * 3 + COALESCE(e.tier_key, 0)) * 6 + CASE e.kind WHEN 'bonus' THEN 0 WHEN 'cap' THEN 1 WHEN 'clawback' THEN 2 WHEN 'commission' THEN 3 WHEN 'mbo' THEN 4 WHEN 'spiff' THEN 5 END) * 2 + COALESCE(e.credit_key, 0) % 2 AS ord_3 FROM p0_earn_all e JOIN p0_payee_keys k ON k.payee_id = e.payee_id WHERE e.in_run AND e.amount <> 0) x0
) o ORDER BY ord_1 NULLS FIRST, ord_2 NULLS FIRST, ord_3 NULLS FIRST;

-- output payouts
SELECT plan_id, plan_version, payee_id, period_id, component_id, line_type, plan_amount, plan_currency, fx_rate, amount, currency, held_amount, draw_balance_amount, transaction_ids, line_count FROM (
SELECT plan_id, plan_version, payee_id, period_id, component_id, line_type, plan_amount, plan_currency, fx_rate, amount, currency, held_amount, draw_balance_amount, transaction_ids, line_count FROM (SELECT * FROM p0_payouts) x0
) o ORDER BY plan_id NULLS FIRST, payee_id NULLS FIRST, period_id NULLS FIRST, component_id NULLS FIRST, line_type NULLS FIRST;
