-- The rollouts still running at an instant, for suspects ("a rollout that started before the
-- window and was still running at the alert"): the span each finished rollout ran, [ts, end_ts],
-- in a GiST index, so that "started that day and finished only after the alert" is one probe for
-- the spans containing the alert's instant. Without it the lookup read every rollout of the day
-- before the window to look at its end (4,400 rows for one alert over 1,000,000 events). Rollouts
-- without an end are found by their open status (events_by_status). The `end_ts >= ts` guard keeps
-- a row whose end precedes its start (ingest refuses one; a direct write may not) out of the
-- index instead of failing its write: no such row is running at any instant anyway.

CREATE INDEX events_rollout_spans ON events USING gist (tstzrange(ts, end_ts, '[]'))
  WHERE kind IN ('deploy', 'rollback', 'scale', 'infra', 'config') AND end_ts >= ts;
