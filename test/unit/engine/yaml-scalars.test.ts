import { parseYamlSource } from '../../../src/engine/yaml-source';

/** Each expected value is what PyYAML 6 (Ansible's loader) builds, dates as isoformat() prints them. */
describe('YAML scalars as PyYAML resolves them', () => {
  const value = (text: string) => (parseYamlSource(`v: ${text}\n`, 'test.yml').data as { v: unknown }).v;

  it.each<[string, unknown]>([
    ['y', 'y'],
    ['N', 'N'],
    ['n', 'n'],
    ['Y', 'Y'],
    ['yes', true],
    ['On', true],
    ['OFF', false],
    ['TRUE', true],
    ['tRUE', 'tRUE'],
    ['no', false],
    ['2024-01-01', '2024-01-01'],
    ['2024-01-01 10:00:00', '2024-01-01T10:00:00'],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.100000-05:00'],
    ['2001-12-14 21:59:43.10 Z', '2001-12-14T21:59:43.100000+00:00'],
    ['2001-12-14T21:59:43+00', '2001-12-14T21:59:43+00:00'],
    ['2024-1-1', '2024-1-1'],
    ['2024-1-1 1:02:03', '2024-01-01T01:02:03'],
    ['2024-01-01 10:00:00.000', '2024-01-01T10:00:00'],
    ['0644', 420],
    ['0x1F', 31],
    ['1:30', 90],
    ['1_000', 1000],
    ['~', null],
    ['Null', null],
    ['1.10', 1.1],
    ['1e3', '1e3'],
    ['1.5e3', '1.5e3'],
    ['1.0e+3', 1000],
    ['-.5', '-.5'],
    ['.5', 0.5],
    ['1.', 1],
    ['+1.5', 1.5],
    ['190:20:30.15', 685230.15],
    ['.inf', Infinity],
  ])('%s', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  it('keeps a quoted y, and a y inside a list, a string', () => {
    expect(value('[y, "yes", yes]')).toEqual(['y', 'yes', true]);
  });
});
