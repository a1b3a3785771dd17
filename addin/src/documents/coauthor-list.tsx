// SCAFFOLD: documents — says honestly that co-author tracking is not there yet.
import { Text } from '@fluentui/react-components';

export function CoauthorList() {
  return (
    <div style={{ padding: 12 }}>
      <Text size={200}>Co-author tracking is not available yet.</Text>
    </div>
  );
}
