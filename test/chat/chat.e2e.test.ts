import { describe, expect, it } from '@jest/globals';
import type { Frame } from 'playwright-core';
import { paneSuite } from '../support/pane-suite.js';
import { DEMO_FIXTURE } from '../e2e/demo-people.fixture.js';

/**
 * Two demo people chat through their Outlook panes in the demo host (two browser contexts):
 * Sam starts a chat from Diego's contact card; Diego sees the message, the unread badge and a
 * host notification; HTML in a message stays text; after a reload the history is intact.
 */
const SAM = 'sam.okafor@auroraworks.example';
const DIEGO = 'diego.ramos@auroraworks.example';
const EVIL = '<img src=x onerror="window.__pwned=1;alert(1)">';

const suite = paneSuite({ seed: DEMO_FIXTURE });

const chatTab = (pane: Frame) => pane.getByRole('tab', { name: /^Chat/ });
const messagesIn = (pane: Frame) => pane.locator('[data-testid="chat-conversation"] [data-testid="chat-message"]');

describe('chat between two Outlook panes in the demo host (headless Chromium)', () => {
  it('delivers with an unread badge and a notification, renders HTML as text, keeps history across a reload', async () => {
    const dialogs: string[] = [];
    const sam = await suite.browser.openDemo(suite.server.url, SAM, { app: 'outlook', message: 'msg-vpn' });
    const diego = await suite.browser.openDemo(suite.server.url, DIEGO, { app: 'outlook', message: 'msg-vpn' });
    for (const s of [sam, diego]) s.page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    const samPane = await sam.pane('outlook');
    const diegoPane = await diego.pane('outlook');
    await diegoPane.getByTestId('message-people').waitFor({ timeout: 15_000 });

    // Sam opens Diego's contact card from the message he sent him; "Chat with Diego" opens their one-to-one conversation.
    await samPane.locator(`[data-testid="person-row"][data-email="${DIEGO}"] button`).first().click();
    await samPane.getByTestId('contact-card').getByTestId('chat-with').click();
    await samPane.getByTestId('chat-conversation').waitFor({ timeout: 10_000 });
    expect(await samPane.getByTestId('chat-title').textContent()).toBe('Diego Ramos');
    await samPane.getByTestId('chat-composer').fill(`Hi **Diego**, see https://example.com/vpn ${EVIL}`);
    await samPane.getByTestId('chat-composer').press('Enter');
    await messagesIn(samPane).filter({ hasText: 'Hi Diego' }).waitFor({ timeout: 5000 });

    // Diego, looking at People: the Chat tab shows 1 unread, and the host shows a notification.
    await diegoPane.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor({ timeout: 5000 });
    await diego.page.getByTestId('host-notifications').filter({ hasText: 'Sam Okafor: Hi **Diego**' }).waitFor({ timeout: 5000 });
    await chatTab(diegoPane).click();
    const row = diegoPane.locator('[data-testid="chat-row"][data-unread="1"]');
    await row.waitFor({ timeout: 5000 });
    expect(await row.textContent()).toContain('Sam Okafor');
    await row.click();
    const received = messagesIn(diegoPane).first();
    await received.waitFor({ timeout: 5000 });
    const text = received.getByTestId('chat-message-text');
    // Markdown-lite made bold and a safe link; the HTML stayed characters.
    expect(await text.locator('strong').textContent()).toBe('Diego');
    expect(await text.locator('a').getAttribute('href')).toBe('https://example.com/vpn');
    expect(await text.textContent()).toContain(EVIL);
    expect(await text.locator('img').count()).toBe(0);
    expect(await diegoPane.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // Reading it clears the badge.
    await diegoPane.getByRole('tab', { name: 'Chat', exact: true }).waitFor({ timeout: 5000 });

    // Diego answers; Sam (who has the conversation open) sees it and the typing indicator before it.
    await diegoPane.getByTestId('chat-composer').pressSequentially('On it', { delay: 20 });
    await samPane.getByTestId('chat-typing').filter({ hasText: 'Diego Ramos is typing' }).waitFor({ timeout: 5000 });
    await diegoPane.getByTestId('chat-send').click();
    await messagesIn(samPane).filter({ hasText: 'On it' }).waitFor({ timeout: 5000 });
    await suite.browser.screenshot(diego.page, 'chat-outlook-diego');

    // After a reload the history is intact, in order.
    await diego.page.reload({ waitUntil: 'load' });
    const again = await diego.pane('outlook');
    await chatTab(again).click();
    // Read before the reload: nothing unread now.
    await again.locator('[data-testid="chat-row"][data-unread="0"]').click({ timeout: 10_000 });
    await messagesIn(again).nth(1).waitFor({ timeout: 10_000 });
    const texts = await messagesIn(again).getByTestId('chat-message-text').allTextContents();
    expect(texts).toEqual([`Hi Diego, see https://example.com/vpn ${EVIL}`, 'On it']);
    expect(dialogs).toEqual([]);
  }, 120_000);

  it('tells the sender the recipient is on Do not disturb, and raises no notification for the recipient', async () => {
    const MEI = 'mei.chen@auroraworks.example';
    const mei = await suite.browser.openDemo(suite.server.url, MEI, { app: 'outlook', message: 'msg-design-review' });
    const meiPane = await mei.pane('outlook');
    await meiPane.getByTestId('message-people').waitFor({ timeout: 15_000 });
    expect((await suite.server.api('PUT', '/v1/me/presence', { as: MEI, body: { availability: 'DoNotDisturb' } })).status).toBe(200);
    const sam = await suite.browser.openDemo(suite.server.url, SAM, { app: 'outlook', message: 'msg-design-review' });
    const samPane = await sam.pane('outlook');
    await samPane.locator(`[data-testid="person-row"][data-email="${MEI}"] button`).first().click();
    await samPane.getByTestId('contact-card').getByTestId('chat-with').click();
    await samPane.getByTestId('chat-composer').fill('quick question when you are free');
    await samPane.getByTestId('chat-send').click();
    await samPane.getByTestId('chat-dnd-notice').filter({ hasText: 'Mei Chen is on Do not disturb' }).waitFor({ timeout: 5000 });
    // Delivered: Mei's badge counts it; but no notification pops up for her.
    await meiPane.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor({ timeout: 5000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await mei.page.getByTestId('host-notifications').filter({ hasText: 'quick question' }).count()).toBe(0);
    await suite.browser.screenshot(sam.page, 'chat-outlook-dnd-notice');
    await suite.server.api('DELETE', '/v1/me/presence', { as: MEI });
  }, 120_000);

  it('finds an old message by search and opens the conversation at it, and renames a group for everyone', async () => {
    const PRIYA = 'priya.natarajan@auroraworks.example';
    const created = await suite.server.api('POST', '/v1/conversations', { as: SAM, body: { participants: [DIEGO, PRIYA], topic: 'Launch' } });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    // 60 messages: the one searched for is the third, older than the first page the pane loads (50).
    for (let i = 1; i <= 60; i++) {
      const text = i === 3 ? 'Where are the quarterly numbers for the launch?' : `update ${i}`;
      const res = await suite.server.api('POST', `/v1/conversations/${id}/messages`, {
        as: i % 2 ? SAM : DIEGO,
        body: { clientMessageId: `launch-${i}`, text },
      });
      expect(res.status).toBe(201);
    }
    const priya = await suite.browser.openDemo(suite.server.url, PRIYA, { app: 'outlook', message: 'msg-vpn' });
    const pane = await priya.pane('outlook');
    await chatTab(pane).click();
    await pane.getByTestId('chat-search').fill('quarterly numbers');
    const result = pane.getByTestId('chat-search-result');
    await result.first().waitFor({ timeout: 5000 });
    expect(await result.count()).toBe(1);
    expect(await result.first().textContent()).toContain('Sam Okafor: Where are the quarterly numbers');
    await result.first().click();
    const focused = pane.locator('[data-testid="chat-conversation"] [data-testid="chat-message"][data-focused="true"]');
    await focused.waitFor({ timeout: 5000 });
    expect(await focused.getAttribute('data-seq')).toBe('3');
    expect(await focused.isVisible()).toBe(true);
    expect(await pane.getByTestId('chat-title').textContent()).toBe('Launch');
    await suite.browser.screenshot(priya.page, 'chat-outlook-search-opened');

    // Rename: Priya's title changes at once, and Sam's list shows the new name (pushed to every member).
    const sam = await suite.browser.openDemo(suite.server.url, SAM, { app: 'outlook', message: 'msg-vpn' });
    const samPane = await sam.pane('outlook');
    await chatTab(samPane).click();
    await samPane.locator(`[data-testid="chat-row"][data-conversation-id="${id}"]`).filter({ hasText: 'Launch' }).waitFor({ timeout: 5000 });
    await pane.getByTestId('chat-group-menu').click();
    await pane.getByTestId('chat-rename').click();
    await pane.getByTestId('chat-rename-input').fill('Launch 2027');
    await pane.getByTestId('chat-rename-input').press('Enter');
    await pane.getByTestId('chat-title').filter({ hasText: 'Launch 2027' }).waitFor({ timeout: 5000 });
    await samPane.locator(`[data-testid="chat-row"][data-conversation-id="${id}"]`).filter({ hasText: 'Launch 2027' }).waitFor({ timeout: 5000 });

    // The same menu adds people.
    const MEI = 'mei.chen@auroraworks.example';
    await pane.getByTestId('chat-group-menu').click();
    await pane.getByTestId('chat-add-people').click();
    await pane.getByLabel('People to add').fill(MEI);
    await pane.getByLabel('People to add').press('Enter');
    const membersOf = async () =>
      ((await (await suite.server.api('GET', `/v1/conversations/${id}`, { as: SAM })).json()) as { members: { email: string }[] }).members.map((m) => m.email);
    for (let i = 0; i < 50 && !(await membersOf()).includes(MEI); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await membersOf()).toContain(MEI);

    // Nothing matches: said so, not an empty box.
    await pane.getByTestId('chat-back').click();
    await pane.getByTestId('chat-search').fill('no such words anywhere');
    await pane.getByTestId('chat-search-empty').waitFor({ timeout: 5000 });
    await suite.browser.screenshot(priya.page, 'chat-outlook-search');
  }, 120_000);

  it('sends a message typed while the socket was down after the pane is closed and opened again', async () => {
    const MEI = 'mei.chen@auroraworks.example';
    const created = await suite.server.api('POST', '/v1/conversations', { as: MEI, body: { participants: [DIEGO], topic: 'Outbox check' } });
    const { id } = (await created.json()) as { id: string };
    const mei = await suite.browser.openDemo(suite.server.url, MEI, { app: 'outlook', message: 'msg-vpn' });
    try {
      // The realtime socket reaches nothing: it opens to a dead end that never answers.
      let live = false;
      await mei.context.routeWebSocket(/\/v1\/realtime/, (ws) => {
        if (live) ws.connectToServer();
      });
      await mei.page.reload();
      let pane = await mei.pane('outlook');
      await chatTab(pane).click();
      await pane.locator(`[data-testid="chat-row"][data-conversation-id="${id}"]`).click({ timeout: 10_000 });
      await pane.getByTestId('chat-composer').fill('Typed on a dead connection');
      await pane.getByTestId('chat-composer').press('Enter');
      await pane.locator('[data-testid="chat-pending"][data-status="sending"]').waitFor({ timeout: 5000 });
      const texts = async () =>
        (
          (await (await suite.server.api('GET', `/v1/conversations/${id}/messages?limit=10`, { as: DIEGO })).json()) as { messages: { text: string }[] }
        ).messages.map((m) => m.text);
      expect(await texts()).toEqual([]);

      // The pane is closed and opened again (the demo page reloads) with the connection back.
      live = true;
      await mei.page.reload();
      pane = await mei.pane('outlook');
      for (let i = 0; i < 50 && !(await texts()).length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await texts()).toEqual(['Typed on a dead connection']);
      // Sent once, and no longer waiting in the pane.
      await new Promise((r) => setTimeout(r, 500));
      expect(await texts()).toEqual(['Typed on a dead connection']);
      expect(await pane.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('op.chat.outbox.')))).toEqual([]);
    } finally {
      await mei.context.close();
    }
  });

  it('announces arriving messages to screen readers one by one, not the history a conversation opens with', async () => {
    const PRIYA = 'priya.natarajan@auroraworks.example';
    const created = await suite.server.api('POST', '/v1/conversations', { as: PRIYA, body: { participants: [DIEGO], topic: 'Announce check' } });
    const { id } = (await created.json()) as { id: string };
    for (let i = 1; i <= 3; i++)
      await suite.server.api('POST', `/v1/conversations/${id}/messages`, { as: DIEGO, body: { clientMessageId: `ann-${i}`, text: `old ${i}` } });
    const priya = await suite.browser.openDemo(suite.server.url, PRIYA, { app: 'outlook', message: 'msg-vpn' });
    try {
      const pane = await priya.pane('outlook');
      await chatTab(pane).click();
      await pane.locator(`[data-testid="chat-row"][data-conversation-id="${id}"]`).click({ timeout: 10_000 });
      await messagesIn(pane).nth(2).waitFor({ timeout: 5000 });
      expect(await pane.getByTestId('chat-messages').getAttribute('aria-live')).toBe('off');
      const announce = pane.getByTestId('chat-announce');
      expect(await announce.getAttribute('role')).toBe('status');
      expect(await announce.textContent()).toBe('');
      await suite.server.api('POST', `/v1/conversations/${id}/messages`, { as: DIEGO, body: { clientMessageId: 'ann-4', text: 'Are you there?' } });
      await announce.filter({ hasText: 'Diego Ramos: Are you there?' }).waitFor({ timeout: 5000 });
      // Your own message is not read back to you.
      await pane.getByTestId('chat-composer').fill('Yes');
      await pane.getByTestId('chat-composer').press('Enter');
      await messagesIn(pane).filter({ hasText: 'Yes' }).waitFor({ timeout: 5000 });
      expect(await announce.textContent()).toBe('Diego Ramos: Are you there?');
    } finally {
      await priya.context.close();
    }
  });

  it('keeps keyboard focus when a conversation opens from the list and when Back leaves it', async () => {
    const ALEX = 'alex.morgan@auroraworks.example';
    const created = await suite.server.api('POST', '/v1/conversations', { as: ALEX, body: { participants: [DIEGO], topic: 'Focus check' } });
    const { id } = (await created.json()) as { id: string };
    await suite.server.api('POST', `/v1/conversations/${id}/messages`, { as: DIEGO, body: { clientMessageId: 'focus-1', text: 'hello' } });
    const alex = await suite.browser.openDemo(suite.server.url, ALEX, { app: 'outlook', message: 'msg-vpn' });
    try {
      const pane = await alex.pane('outlook');
      await chatTab(pane).click();
      const row = pane.locator(`[data-testid="chat-row"][data-conversation-id="${id}"]`);
      await row.focus({ timeout: 5000 });
      await row.press('Enter');
      await pane.getByTestId('chat-conversation').waitFor({ timeout: 5000 });
      // Focus moves a frame after the view changes: poll for it briefly.
      const focused = async (attribute: string, want: string) => {
        let got: string | null | undefined;
        for (let i = 0; i < 20 && got !== want; i++) {
          if (i) await new Promise((r) => setTimeout(r, 100));
          got = await pane.evaluate((a) => document.activeElement?.getAttribute(a), attribute);
        }
        return got;
      };
      expect(await focused('data-testid', 'chat-composer')).toBe('chat-composer');
      await pane.getByTestId('chat-back').focus();
      await pane.getByTestId('chat-back').press('Enter');
      await pane.getByTestId('chat-list').waitFor({ timeout: 5000 });
      expect(await focused('data-conversation-id', id)).toBe(id);
    } finally {
      await alex.context.close();
    }
  });
});
