import type { Config } from '../config/index.js';
import type { Bus } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import { RedisBus } from './redis-bus.js';

export type { Bus } from './bus.js';
export { MemoryBus } from './memory-bus.js';
export { RedisBus } from './redis-bus.js';

export function createBus(redis: Config['redis']): Bus {
  return redis ? new RedisBus(redis.url, redis.keyPrefix) : new MemoryBus();
}
