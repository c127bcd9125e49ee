// Task logs on the leader (swarmkit's log broker), its transport service, and
// the logs API every manager's edges use.
export { LogBroker, incompleteWarning, type LogBrokerOptions } from './broker';
export { serveLogBroker, type ServeLogBrokerOptions } from './serve';
export { forwardingLogs, type ForwardingLogsOptions, type LogsLeaderLink } from './forward';
export { selectTasks, taskHasLogs, type Selection } from './select';
