/**
 * delegate_to: the host whose connection runs a task while the task's variables stay those
 * of the host it was written for, as in Ansible. The delegate's connection comes from its own
 * variables (ansible_host, ansible_user, ansible_become, ...). `localhost` that is not in the
 * inventory is Ansible's implicit localhost: the controller itself, without SSH.
 * https://docs.ansible.com/ansible/2.14/inventory/implicit_localhost.html
 */
import { userInfo } from 'node:os';
import { InputError } from '../../errors';
import type { Become } from '../../transport/become';
import { connectionTarget, type ConnectionTarget, type Inventory } from '../inventory';
import type { TaskDefinition } from '../structure/task-tree';
import type { VariableScope } from '../variables';
import type { DelegateTarget } from './compiled-run';
import { ControlError } from './task-control';

/** The names Ansible gives its implicit localhost. */
const IMPLICIT_LOCALHOST = new Set(['localhost', '127.0.0.1', '::1']);

export function implicitLocalhost(name: string): ConnectionTarget {
  return { host: name, port: 22, user: userInfo().username, become: false, becomeUser: 'root', connection: 'local' };
}

/** The delegates of one play, each host's connection worked out once. */
export class Delegates {
  private readonly targets = new Map<string, ConnectionTarget>();

  constructor(
    private readonly inventory: Inventory,
    private readonly scope: VariableScope,
    private readonly playVars: Record<string, unknown>,
  ) {}

  /** The delegate `name` for `task` on `host`, or undefined when it is the host itself. */
  resolve(task: TaskDefinition, host: string, name: string, becomeOn: (target: ConnectionTarget) => Become | undefined): (DelegateTarget & { become?: Become }) | undefined {
    if (name === host) return undefined;
    const target = this.target(task, name);
    const become = becomeOn(target);
    return { host: name, target, ...(become ? { become } : {}) };
  }

  private target(task: TaskDefinition, name: string): ConnectionTarget {
    let target = this.targets.get(name);
    if (target) return target;
    const where = task.control.positions.delegate_to;
    if (this.inventory.hosts.has(name)) {
      try {
        target = connectionTarget(name, this.scope.forPlay(name, this.playVars, {}), this.scope.layersForPlay(name, this.playVars));
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new ControlError(`delegate_to: ${name}: ${error.message}`, 'delegate_to', error.position ?? where);
      }
    } else if (IMPLICIT_LOCALHOST.has(name)) {
      target = implicitLocalhost(name);
    } else {
      throw new ControlError(`delegate_to: '${name}' is not a host of the inventory (nor localhost)`, 'delegate_to', where);
    }
    this.targets.set(name, target);
    return target;
  }
}
