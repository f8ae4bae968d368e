import { loadInventories } from '../../../src/engine/inventory';
import { inventorySecrets, redactDeep, Redactor, SECRET_VARS, secretValues } from '../../../src/engine/secrets';
import { REDACTED } from '../../../src/transport/redact';
import { fixture } from './helpers';

describe('secrets', () => {
  it('names every password variable Ansible knows', () => {
    expect([...SECRET_VARS].sort()).toEqual(['ansible_become_pass', 'ansible_become_password', 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password']);
  });

  it('collects the non-empty secret values as text', () => {
    expect(secretValues({ ansible_password: 'p', ansible_become_pass: 1234, ansible_ssh_pass: '', ansible_user: 'root' })).toEqual(['p', '1234']);
  });

  it('hides secret variables by name and secret values wherever they appear', () => {
    const vars = { ansible_password: 'hunter2', nested: { ansible_become_pass: 7, list: ['x hunter2 y', 3] }, cmd: 'echo hunter22', empty: '' };
    expect(redactDeep(vars, ['hunter2', 'hunter22', ''])).toEqual({
      ansible_password: REDACTED,
      nested: { ansible_become_pass: REDACTED, list: [`x ${REDACTED} y`, 3] },
      cmd: `echo ${REDACTED}`,
      empty: '',
    });
    expect(vars.ansible_password).toBe('hunter2');
  });

  it('builds a text redactor from every host and the extra vars', () => {
    const inventory = loadInventories([fixture('ini', 'cluster.ini'), fixture('yaml', 'cluster.yml')]);
    const redactor = new Redactor(inventorySecrets(inventory, { ansible_become_password: 'extra-secret' }));
    expect(redactor.redact('sudo -S <<< "s3cret"; ssh pa ss; extra-secret; pass')).toBe(`sudo -S <<< "${REDACTED}"; ssh ${REDACTED}; ${REDACTED}; pass`);
  });

  it('hides secret task arguments added later, quoted forms included', () => {
    const redactor = new Redactor(inventorySecrets(loadInventories([fixture('ini', 'cluster.ini')]), {}));
    redactor.add(["it's secret", undefined, '']);
    expect(redactor.redact(`printf %s 'it'\\''s secret' > f; echo it's secret`)).toBe(`printf %s ${REDACTED} > f; echo ${REDACTED}`);
  });
});
