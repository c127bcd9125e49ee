// Dispatcher sessions over the cluster transport: agents on any manager (and,
// later, agent processes) reach the leader's dispatcher with plain requests.
export { serveDispatcher, notLeaderError, type ManagerDirectory, type ServeDispatcherOptions } from './serve';
export { RemoteDispatcher, type RemoteDispatcherOptions, type RequestTransport } from './remote-dispatcher';
export {
  RequestRouter,
  routerFor,
  UNHANDLED,
  type CallerKind,
  type Route,
  type RequestHandlerHost,
} from './request-router';
export { AssignmentPolls, DEFAULT_POLL_OPTIONS, type AssignmentPollsOptions } from './assignment-polls';
export {
  DIRECTORY_REQUEST,
  isDirectoryRequest,
  isDispatcherRequest,
  isNodeCAStatus,
  remoteError,
  type NodeCAStatus,
  type AssignmentsCursor,
  type AssignmentsPage,
  type DispatcherMethod,
  type DispatcherRequest,
  type WireAssignments,
} from './wire';
