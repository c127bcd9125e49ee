export { Allocator } from './runner';
export { PENDING_MESSAGE, allocatedTask, needsAllocation } from './decide';
