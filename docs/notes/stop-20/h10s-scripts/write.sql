CREATE TEMP TABLE w AS SELECT u.id, u.path, g FROM generate_series(1, 500) g JOIN units_unit u ON u.id = (SELECT min(id) FROM units_unit WHERE level = 4) + (g * 37) % 90000;
\timing on
BEGIN;
INSERT INTO activities_activityrecord (unit_id, unit_path, type_id, date, title, notes, attendance, subject, attachment, search_key, created_at, updated_at)
SELECT id, path, 1, DATE '2025-03-01' + (g % 60), 'x', '', 10, '', '', 'x', now(), now() FROM w;
ROLLBACK;
BEGIN;
ALTER TABLE activities_activityrecord DISABLE TRIGGER activityquartersummary_ins;
INSERT INTO activities_activityrecord (unit_id, unit_path, type_id, date, title, notes, attendance, subject, attachment, search_key, created_at, updated_at)
SELECT id, path, 1, DATE '2025-03-01' + (g % 60), 'x', '', 10, '', '', 'x', now(), now() FROM w;
ROLLBACK;
BEGIN;
INSERT INTO activities_activityrecord (unit_id, unit_path, type_id, date, title, notes, attendance, subject, attachment, search_key, created_at, updated_at)
SELECT id, path, 1, DATE '2025-03-01' + (g % 60), 'x', '', 10, '', '', 'x', now(), now() FROM w;
ROLLBACK;
BEGIN;
ALTER TABLE activities_activityrecord DISABLE TRIGGER activityquartersummary_ins;
INSERT INTO activities_activityrecord (unit_id, unit_path, type_id, date, title, notes, attendance, subject, attachment, search_key, created_at, updated_at)
SELECT id, path, 1, DATE '2025-03-01' + (g % 60), 'x', '', 10, '', '', 'x', now(), now() FROM w;
ROLLBACK;
