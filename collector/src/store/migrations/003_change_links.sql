-- Correlation keys of every change, for the chain from commit to rollout and for suspects:
-- derived from `refs` by one function, kept in a generated column, found through a GIN index.
--
-- Keys (values lower-cased where the source compares case-insensitively):
--   c:<first 7 hex>        a commit: refs.commit, refs.commits[], refs.headSha, refs.mergeCommitSha,
--                          refs.baseSha, refs.sha, and a hex run in an image tag (built from it).
--                          Seven characters match short and full SHAs alike; the collector
--                          confirms a match on the full values before it links two changes.
--   i:<image>              refs.image as written (name:tag or name@digest), and name:tag alone
--                          when both are written
--   d:<sha256:…>           the digest of refs.image, so a build and a rollout of it meet
--   pr:<project>#<n>       refs.pullRequest (a pull or merge request of that project)
--   p:<project>#<id>       refs.pipeline (a pipeline or workflow run of that project)
--   t:<project>@<tag>      refs.tag

CREATE FUNCTION painchain_links(refs jsonb, project text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{}'::text[]) FROM (
    SELECT 'c:' || left(lower(v), 7) AS k
      FROM (
        SELECT refs ->> 'commit' AS v
        UNION ALL SELECT refs ->> 'headSha'
        UNION ALL SELECT refs ->> 'mergeCommitSha'
        UNION ALL SELECT refs ->> 'baseSha'
        UNION ALL SELECT refs ->> 'sha'
        UNION ALL SELECT jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(refs -> 'commits') = 'array' THEN refs -> 'commits' ELSE '[]'::jsonb END)
      ) AS commits
     WHERE v ~* '^[0-9a-f]{7,64}$'
    UNION ALL
    -- A hex run of 7 to 40 characters in an image tag, with at least one letter (a date or a
    -- build number is all digits), names the commit the image was built from.
    SELECT 'c:' || left(lower(m[1]), 7)
      FROM regexp_matches(
             coalesce(substring(refs ->> 'image' FROM ':([^:@/]+)(?:@|$)'), ''),
             '(?:^|[^0-9A-Za-z])([0-9a-fA-F]{7,40})(?=$|[^0-9A-Za-z])', 'g') AS m
     WHERE m[1] ~* '[a-f]'
    UNION ALL
    SELECT 'i:' || (refs ->> 'image') WHERE coalesce(refs ->> 'image', '') <> ''
    UNION ALL
    -- name:tag@digest also meets a rollout that names the image by name:tag alone.
    SELECT 'i:' || split_part(refs ->> 'image', '@', 1)
     WHERE refs ->> 'image' LIKE '%@%' AND split_part(refs ->> 'image', '@', 1) ~ ':[^/]+$'
    UNION ALL
    SELECT 'd:' || lower(substring(refs ->> 'image' FROM '@(sha256:[0-9a-fA-F]{64})'))
     WHERE refs ->> 'image' ~ '@sha256:[0-9a-fA-F]{64}'
    UNION ALL
    SELECT 'pr:' || project || '#' || (refs ->> 'pullRequest')
     WHERE coalesce(refs ->> 'pullRequest', '') <> ''
    UNION ALL
    SELECT 'p:' || project || '#' || (refs ->> 'pipeline')
     WHERE coalesce(refs ->> 'pipeline', '') <> ''
    UNION ALL
    SELECT 't:' || project || '@' || (refs ->> 'tag')
     WHERE coalesce(refs ->> 'tag', '') <> ''
  ) AS keys
$$;

ALTER TABLE events
  ADD COLUMN links text[] GENERATED ALWAYS AS (painchain_links(refs, project)) STORED;

CREATE INDEX events_by_links ON events USING gin (links);
