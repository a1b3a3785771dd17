import {
  Button,
  Caption1,
  Divider,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  PresenceBadge,
  Radio,
  RadioGroup,
  Spinner,
  Switch,
  Textarea,
  tokens,
  type PresenceBadgeStatus,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/index.js';
import { useApi } from '../services/index.js';
import type { ManualAvailability, MyPresenceDto } from './presence-types.js';

const CHOICES: readonly { value: ManualAvailability; label: string; badge: PresenceBadgeStatus }[] = [
  { value: 'Available', label: 'Available', badge: 'available' },
  { value: 'Busy', label: 'Busy', badge: 'busy' },
  { value: 'DoNotDisturb', label: 'Do not disturb', badge: 'do-not-disturb' },
  { value: 'BeRightBack', label: 'Be right back', badge: 'away' },
  { value: 'Away', label: 'Appear away', badge: 'away' },
  { value: 'Offline', label: 'Appear offline', badge: 'offline' },
];

const EXPIRIES = [
  { value: 'keep', label: 'Keep the current reset time' },
  { value: 'default', label: 'Default (Busy, Do not disturb: 1 day; others: 7 days)' },
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '2h', label: '2 hours' },
  { value: 'today', label: 'Today' },
  { value: 'week', label: 'This week' },
] as const;
type Expiry = (typeof EXPIRIES)[number]['value'];

/**
 * The instant an expiry choice means, or undefined for the server's default. `keep` is the reset
 * time of the status you have now (`current`), while it is still ahead.
 */
export function expiryInstant(choice: Expiry, now = new Date(), current?: string): string | undefined {
  const at = new Date(now);
  switch (choice) {
    case 'keep':
      return current && Date.parse(current) > now.getTime() ? current : undefined;
    case 'default':
      return undefined;
    case '30m':
      return new Date(now.getTime() + 30 * 60_000).toISOString();
    case '1h':
      return new Date(now.getTime() + 3600_000).toISOString();
    case '2h':
      return new Date(now.getTime() + 7200_000).toISOString();
    case 'today':
      at.setHours(23, 59, 0, 0);
      return at.getTime() > now.getTime() ? at.toISOString() : new Date(now.getTime() + 60_000).toISOString();
    case 'week': {
      const days = (7 - at.getDay()) % 7 || 7;
      at.setDate(at.getDate() + days);
      at.setHours(0, 0, 0, 0);
      return at.toISOString();
    }
  }
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, width: '100%', maxWidth: '320px' },
  choice: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

/** Pick your availability, note and expiry; appear offline; reset to automatic; out of office. */
export function StatusPicker({ onDone }: { onDone?: () => void }) {
  const s = useStyles();
  const api = useApi();
  const [mine, setMine] = useState<MyPresenceDto | null>(null);
  const [availability, setAvailability] = useState<ManualAvailability | ''>('');
  const [note, setNote] = useState('');
  const [expiry, setExpiry] = useState<Expiry>('default');
  const [oof, setOof] = useState(false);
  const [oofMessage, setOofMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Why the current status could not be loaded: the form stays closed (saving defaults would wipe it). */
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  // The dialog opens on a spinner, so it can only focus its own surface; once the choices are
  // there, keyboard users start on the one that is selected.
  const choices = useRef<HTMLDivElement>(null);
  const loaded = mine !== null;
  useEffect(() => {
    if (loaded) choices.current?.querySelector<HTMLInputElement>('input:checked')?.focus();
  }, [loaded]);

  useEffect(() => {
    let live = true;
    api
      .get<MyPresenceDto>('/v1/me/presence')
      .then((m) => {
        if (!live) return;
        setMine(m);
        setAvailability(m.manual?.availability ?? '');
        setNote(m.manual?.note ?? '');
        // Reopening the picker (to switch on out-of-office, say) must not stretch a 30-minute status to the default day or week.
        setExpiry(m.manual ? 'keep' : 'default');
        setOof(m.outOfOffice.active);
        setOofMessage(m.outOfOffice.message ?? '');
      })
      .catch((err: unknown) => live && setLoadError(err instanceof Error ? err.message : 'Could not load your status'));
    return () => {
      live = false;
    };
  }, [api, attempt]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onDone?.();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : 'Could not save your status');
    } finally {
      setBusy(false);
    }
  };

  const saveOof = async () => {
    const before = mine?.outOfOffice;
    // Never without the status as loaded: the form's defaults would switch a real out-of-office off.
    if (!before) throw new Error('Your status is not loaded yet');
    if (before.active === oof && (before.message ?? '') === oofMessage.trim()) return;
    await api.put('/v1/me/out-of-office', { active: oof, message: oofMessage.trim() || null });
  };

  const save = () =>
    run(async () => {
      const manual = mine?.manual;
      const unchanged = manual && expiry === 'keep' && manual.availability === availability && (manual.note ?? '') === note.trim();
      if (availability && !unchanged)
        await api.put('/v1/me/presence', { availability, note: note.trim() || null, expiresAt: expiryInstant(expiry, new Date(), manual?.expiresAt) });
      else if (!availability && manual) await api.delete('/v1/me/presence');
      await saveOof();
    });

  const reset = () =>
    run(async () => {
      await api.delete('/v1/me/presence');
      await saveOof();
    });

  const expiryLabel = (value: Expiry): string =>
    value === 'keep' && mine?.manual ? `Keep: until ${new Date(mine.manual.expiresAt).toLocaleString()}` : EXPIRIES.find((x) => x.value === value)!.label;

  if (!mine && loadError)
    return (
      <div className={s.root} data-testid="status-picker">
        <MessageBar intent="error">
          <MessageBarBody>Could not load your status: {loadError}</MessageBarBody>
        </MessageBar>
        <div className={s.actions}>
          <Button
            appearance="primary"
            onClick={() => {
              setLoadError(null);
              setAttempt((n) => n + 1);
            }}
            data-testid="status-retry"
          >
            Try again
          </Button>
          {onDone && (
            <Button appearance="subtle" onClick={onDone}>
              Cancel
            </Button>
          )}
        </div>
      </div>
    );
  if (!mine) return <Spinner size="tiny" label="Loading your status…" />;
  return (
    <form
      className={s.root}
      aria-label="Set your status"
      data-testid="status-picker"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Field label="Your status">
        <RadioGroup ref={choices} value={availability} onChange={(_, d) => setAvailability(d.value as ManualAvailability | '')} data-testid="status-choices">
          <Radio value="" label="Automatic (from your activity and calendar)" data-testid="status-automatic" />
          {CHOICES.map((c) => (
            <Radio
              key={c.value}
              value={c.value}
              data-testid={`status-${c.value}`}
              label={
                <span className={s.choice}>
                  <PresenceBadge status={c.badge} size="small" aria-hidden />
                  {c.label}
                </span>
              }
            />
          ))}
        </RadioGroup>
      </Field>
      <Field label="Note" hint={availability ? undefined : 'A note shows with a status you pick.'}>
        <Input
          value={note}
          maxLength={280}
          onChange={(_, d) => setNote(d.value)}
          disabled={!availability}
          placeholder="What are you up to?"
          data-testid="status-note"
        />
      </Field>
      <Field label="Reset after">
        <Dropdown
          value={expiryLabel(expiry)}
          selectedOptions={[expiry]}
          onOptionSelect={(_, d) => setExpiry(d.optionValue as Expiry)}
          disabled={!availability}
          data-testid="status-expiry"
        >
          {EXPIRIES.filter((x) => x.value !== 'keep' || mine.manual).map((x) => (
            <Option key={x.value} value={x.value} text={expiryLabel(x.value)}>
              {expiryLabel(x.value)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Divider />
      <Switch checked={oof} onChange={(_, d) => setOof(d.checked)} label="Out of office" data-testid="status-oof" />
      {oof && (
        <Field label="Out-of-office message">
          <Textarea value={oofMessage} maxLength={2000} onChange={(_, d) => setOofMessage(d.value)} resize="vertical" data-testid="status-oof-message" />
        </Field>
      )}
      {mine.manual && <Caption1>Set by you until {new Date(mine.manual.expiresAt).toLocaleString()}.</Caption1>}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy} data-testid="status-save">
          Save
        </Button>
        <Button type="button" onClick={() => void reset()} disabled={busy} data-testid="status-reset">
          Reset to automatic
        </Button>
        {onDone && (
          <Button type="button" appearance="subtle" onClick={onDone}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
