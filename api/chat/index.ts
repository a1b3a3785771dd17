import type { Feature, FeatureDeps } from '../feature.js';
import type { PresenceService } from '../presence/index.js';
import { ChatFanOut } from './chat-fan-out.js';
import { registerChatFrames } from './chat-frames.js';
import { createChatRouter } from './chat-routes.js';
import { ChatService, DEFAULT_CHAT_LIMITS, type ChatLimits } from './chat-service.js';
import { ChatStore } from './chat-store.js';
import { loggingNotifier, MissedMessageScanner } from './missed-message-scanner.js';
import type { MissedMessageNotifier } from './missed-message-notifier.js';
import { PresenceRules } from './presence-rules.js';

export type { MissedMessageNotifier } from './missed-message-notifier.js';
export { chatMigrations } from './migrations.js';
export { ChatService, DEFAULT_CHAT_LIMITS, type ChatLimits } from './chat-service.js';
export { ChatStore } from './chat-store.js';

export interface ChatFeature extends Feature {
  /** Replaces the missed-message notifier (default: log). */
  setNotifier(notifier: MissedMessageNotifier): void;
  readonly service: ChatService;
  readonly scanner: MissedMessageScanner;
}

/**
 * Instant messaging: conversations, durable ordered messages, delivery to live endpoints (across
 * processes through the bus), resume, read markers, typing, and the missed-message hook.
 * Tuning keys (tests, benchmarks): chat.sendPerSecond, chat.sendBurst, chat.typingIntervalMs,
 * chat.membersTtlMs, chat.syncBudget, chat.maxMembers, chat.missedScanMs.
 */
export function createChatFeature(deps: FeatureDeps, presence: PresenceService): ChatFeature {
  const log = deps.log.child({ mod: 'chat' });
  const t = deps.tuning;
  const limits: ChatLimits = {
    sendPerSecond: t['chat.sendPerSecond'] ?? DEFAULT_CHAT_LIMITS.sendPerSecond,
    sendBurst: t['chat.sendBurst'] ?? DEFAULT_CHAT_LIMITS.sendBurst,
    typingIntervalMs: t['chat.typingIntervalMs'] ?? DEFAULT_CHAT_LIMITS.typingIntervalMs,
    membersTtlMs: t['chat.membersTtlMs'] ?? DEFAULT_CHAT_LIMITS.membersTtlMs,
    syncBudget: t['chat.syncBudget'] ?? DEFAULT_CHAT_LIMITS.syncBudget,
    maxMembers: t['chat.maxMembers'] ?? DEFAULT_CHAT_LIMITS.maxMembers,
  };
  const store = new ChatStore(deps.store);
  const rules = new PresenceRules(presence);
  const fanOut = new ChatFanOut(deps.gateway, deps.bus, Boolean(deps.config.redis), log);
  const service = new ChatService(store, deps.directory, presence, rules, fanOut, log, limits);
  let notifier: MissedMessageNotifier = loggingNotifier(log);
  const missedAfterMs = deps.config.env.CHAT_MISSED_AFTER_SECONDS * 1000;
  // Scan often enough to notify close to the deadline, never more than once a second or less than once a minute.
  const scanMs = t['chat.missedScanMs'] ?? Math.min(60_000, Math.max(1000, Math.floor(missedAfterMs / 4)));
  const scanner = new MissedMessageScanner(
    store,
    deps.directory,
    presence,
    () => notifier,
    missedAfterMs,
    scanMs,
    log,
    (p, sender) => rules.blocked(p, sender),
  );

  registerChatFrames(deps.gateway, service, fanOut);
  fanOut.start();
  return {
    name: 'chat',
    router: createChatRouter(service),
    service,
    scanner,
    setNotifier(n) {
      notifier = n;
    },
    async start() {
      scanner.start();
    },
    async stop() {
      await scanner.stop();
      await service.close();
      rules.close();
      await fanOut.stop();
    },
  };
}
