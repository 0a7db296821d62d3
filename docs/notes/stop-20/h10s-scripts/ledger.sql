SET work_mem = '256MB';
INSERT INTO funds_fund (name, kind, opened_on, closed_on, description, is_public, created_at, unit_id)
SELECT 'Quỹ Vì người nghèo ' || u.code, 'poor', DATE '2023-01-01', NULL, '', true, now(), u.id
FROM units_unit u WHERE u.level IN (1, 3);
INSERT INTO funds_fund (name, kind, opened_on, closed_on, description, is_public, created_at, unit_id)
SELECT 'Quỹ Vì biển, đảo ' || u.code, 'sea_islands', DATE '2023-01-01', NULL, '', true, now(), u.id
FROM units_unit u WHERE u.level = 3;
CREATE TEMP TABLE bf AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM funds_fund;
INSERT INTO funds_ledgerentry (kind, sign, amount, booked_on, party_name, party_kind, channel, reference, memo,
  search_key, party_key, purpose, beneficiaries, quantity, voucher_series, created_at, fund_id)
SELECT CASE WHEN g % 20 < 12 OR g % 20 = 19 THEN 'receipt' ELSE 'disbursement' END,
       CASE WHEN g % 20 < 12 OR g % 20 = 19 THEN 1 ELSE -1 END,
       100000 + (g % 1000) * 1000,
       DATE '2024-01-01' + ((g * 104729) % 730)::int,
       '', '', '', '', '', '', '',
       CASE WHEN g % 20 < 12 OR g % 20 = 19 THEN ''
            ELSE (ARRAY['gifts','medical','zero_market','house_build','house_repair','scholarships','relief'])[1 + (g % 7)] END,
       '',
       CASE WHEN g % 20 < 12 OR g % 20 = 19 THEN NULL ELSE 1 + (g % 5) END,
       '', now(), bf.id
FROM generate_series(1, :n::bigint) g JOIN bf ON bf.n = 1 + (g * 7919) % (SELECT count(*) FROM bf);
ANALYZE funds_fund; ANALYZE funds_ledgerentry;
