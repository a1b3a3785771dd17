// SCAFFOLD: presence — renders nothing until presence exists.
export function PresenceLabel(_props: { email: string | null }) {
  return null;
}
