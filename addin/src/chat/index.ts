// The chat feature of the panes: one store per pane over the realtime socket, the Chat view, "chat with" buttons.
export { ChatProvider, useChat, useChatStore, type ChatApi } from './chat-context.js';
export { ChatPanel } from './chat-panel.js';
export { ChatButton, type ChatButtonProps } from './chat-button.js';
export { ChatStore, type ChatSnapshot, type ConversationState, type PendingMessage } from './chat-store.js';
export { MarkdownLite, parseMarkdownLite, safeHref } from './markdown-lite.js';
