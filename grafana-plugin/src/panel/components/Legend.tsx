// The legend: the kinds on screen with their colours, and what outline and hatching mean.
import React from 'react';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { kindColor } from '../../shared/kind-colors';
import { TEST_IDS } from '../../test-ids';
import { getTimelineStyles, hatched } from '../styles';
import { humanize } from './describe';

export function Legend({ kinds }: { kinds: string[] }) {
  const styles = useStyles2(getTimelineStyles);
  const theme = useTheme2();
  const neutral = theme.colors.text.secondary;
  return (
    <div className={styles.legend} data-testid={TEST_IDS.timeline.legend} aria-label="Legend">
      {kinds.map((kind) => (
        <span key={kind} className={styles.legendItem}>
          <span className={styles.swatch} style={{ background: kindColor(theme, kind) }} />
          {humanize(kind)}
        </span>
      ))}
      <span className={styles.legendItem}>
        <span
          className={styles.swatch}
          style={{
            background: neutral,
            borderColor: theme.colors.error.main,
            boxShadow: `0 0 0 1px ${theme.colors.error.main}`,
          }}
        />
        failed
      </span>
      <span className={styles.legendItem}>
        <span className={styles.swatch} style={{ background: hatched(neutral), borderColor: neutral }} />
        in progress
      </span>
    </div>
  );
}
