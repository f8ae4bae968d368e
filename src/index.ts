/** What a plugin package imports from lvs. */
export { defineTask, noop } from './api';
export type {
  TaskModule,
  TaskSchema,
  ArgumentSchema,
  TaskContext,
  SourceFile,
  SourceEntry,
  Fact,
  FactMap,
  FactValues,
  Plan,
  Change,
  PlannedCommand,
  PlanAction,
  Evaluated,
  FreeForm,
  CommandResult,
  ClusterSettings,
  ClusterAddress,
  ClusterRoute,
  ClusterSysctl,
  ClusterModule,
  ClusterLink,
  ClusterService,
  ClusterRealServer,
  ClusterVrrpInstance,
  ClusterVrrpAddress,
} from './api';
export { sh, quote, joinCommands, unshown } from './shell/quote';
export type { ShellCommand } from './shell/quote';
export { remoteFile } from './facts/file';
export type { RemoteFile } from './facts/file';
export { writeFileAtomically, setFileAttributes } from './changes/file';
export type { FileAttributes, FileContent } from './changes/file';
