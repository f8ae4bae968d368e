/** What a plugin package imports from lvs. */
export { defineTask, noop } from './api';
export type { TaskModule, TaskContext, Fact, FactMap, FactValues, Plan, Change, PlannedCommand, CommandResult } from './api';
export { sh, quote, joinCommands, unshown } from './shell/quote';
export type { ShellCommand } from './shell/quote';
export { remoteFile } from './facts/file';
export type { RemoteFile } from './facts/file';
export { writeFileAtomically, setFileAttributes } from './changes/file';
export type { FileAttributes } from './changes/file';
