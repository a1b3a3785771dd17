import { Badge, Dropdown, makeStyles, Option, Switch, Tab, TabList, Text, tokens, Tooltip } from '@fluentui/react-components';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';
import { DEMO_PEOPLE } from './demo-people.js';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, fontWeight: tokens.fontWeightSemibold },
  field: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  tabs: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
});

/**
 * The demo host's own controls: who you are, which Office app, the theme. Clearly not Office. With
 * `simulator`, it also says that some demo people's statuses are made up by the demo simulator.
 */
export function TopBar({
  state,
  snap,
  paneWidth,
  onPaneWidth,
  simulator,
}: {
  state: DemoHostState;
  snap: DemoSnapshot;
  paneWidth: number;
  onPaneWidth: (w: number) => void;
  simulator: boolean;
}) {
  const s = useStyles();
  const signInAs = (email: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set('as', email);
    url.searchParams.set('app', snap.app);
    window.location.assign(url.toString());
  };
  const current = DEMO_PEOPLE.find((p) => p.email === snap.identity.email);
  return (
    <header className={s.root}>
      <span className={s.brand}>
        <Badge appearance="filled" color="warning" data-testid="demo-label">
          Demo host
        </Badge>
        <Text weight="semibold" style={{ color: 'inherit' }}>
          Aurora Works · stand-in for Outlook and Word
        </Text>
        {simulator && (
          <Tooltip
            relationship="description"
            content="Demo only: some demo people change status on their own, as if they were in meetings and calls, so the page is alive. Anyone signed in shows their real status. Off outside the demo (DEMO_SIMULATOR)."
          >
            <Badge appearance="tint" color="informative" data-testid="demo-simulator-label" tabIndex={0}>
              Simulated statuses (demo only)
            </Badge>
          </Tooltip>
        )}
      </span>
      <span className={s.field}>
        <Text style={{ color: 'inherit' }} id="sign-in-as-label">
          Signed in as
        </Text>
        <Dropdown
          aria-labelledby="sign-in-as-label"
          value={current ? `${current.name} (${current.title})` : snap.identity.email}
          selectedOptions={[snap.identity.email]}
          onOptionSelect={(_, d) => d.optionValue && d.optionValue !== snap.identity.email && signInAs(d.optionValue)}
          data-testid="sign-in-as"
          style={{ minWidth: 240 }}
        >
          {DEMO_PEOPLE.map((p) => (
            <Option key={p.email} value={p.email} text={`${p.name} (${p.title})`}>
              {p.name} · {p.title}
            </Option>
          ))}
        </Dropdown>
      </span>
      <TabList
        className={s.tabs}
        selectedValue={snap.app}
        onTabSelect={(_, d) => state.setApp(d.value as 'outlook' | 'word')}
        size="small"
        aria-label="Office app"
      >
        <Tab value="outlook">Outlook</Tab>
        <Tab value="word">Word</Tab>
      </TabList>
      <Switch checked={snap.dark} onChange={(_, d) => state.setDark(d.checked)} label={<span style={{ color: 'inherit' }}>Dark Office theme</span>} />
      <span className={s.field}>
        <Text style={{ color: 'inherit' }} id="pane-width-label">
          Pane width
        </Text>
        <Dropdown
          aria-labelledby="pane-width-label"
          value={`${paneWidth}px`}
          selectedOptions={[String(paneWidth)]}
          onOptionSelect={(_, d) => onPaneWidth(Number(d.optionValue))}
          style={{ minWidth: 90 }}
        >
          {[320, 360, 420].map((w) => (
            <Option key={w} value={String(w)}>{`${w}px`}</Option>
          ))}
        </Dropdown>
      </span>
    </header>
  );
}
