// SCAFFOLD: chat — public entry of the chat feature; the chat helper replaces this folder.
export { ChatProvider, useChat, type ChatApi } from './chat-context.js';
export { ChatPanel } from './chat-panel.js';
export { ChatButton, type ChatButtonProps } from './chat-button.js';
