// SCAFFOLD: presence — shows who is signed in; the presence helper adds the live status and picker.
import { Avatar, Text } from '@fluentui/react-components';
import { useMe } from '../services/index.js';

export function MyStatus() {
  const { person } = useMe();
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8, minWidth: 0 }}>
      <Avatar name={person.displayName} size={24} aria-hidden />
      <Text size={200} truncate wrap={false}>
        {person.displayName}
      </Text>
    </span>
  );
}
