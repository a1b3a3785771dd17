// SCAFFOLD: presence — the status picker arrives with the presence feature.
import { Text } from '@fluentui/react-components';

export function StatusPicker() {
  return <Text size={200}>Status: not available yet</Text>;
}
