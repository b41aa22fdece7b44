// The app's pages by path: /a/painchain-app/investigate is the Investigate page, anything else
// the overview (Grafana routes every /a/painchain-app/* URL here).
import React from 'react';
import type { AppRootProps } from '@grafana/data';
import { INVESTIGATE_PATH } from '../shared/investigate-url';
import { InvestigatePage } from './InvestigatePage';
import { OverviewPage } from './OverviewPage';
import { useLocation } from './use-location';

export function AppRoot(props: AppRootProps) {
  const { pathname } = useLocation();
  return pathname.replace(/\/+$/, '').endsWith(INVESTIGATE_PATH) ? <InvestigatePage /> : <OverviewPage {...props} />;
}
