// SCAFFOLD: presence — activity reporting (active/inactive/away) arrives with the presence feature.
export function useActivityReporter(): void {}
