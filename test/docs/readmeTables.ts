/**
 * The README's generated tables: settings (from package.json `contributes.configuration`) and
 * troubleshooting (from the diagnosis catalogue). `npm run docs:readme` writes them between the
 * `<!-- generated:NAME -->` markers; test/unit/readme.test.ts fails when the README drifts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE } from '../../src/core/diagnosis/catalogue';
import { DIAGNOSIS_CODES } from '../../src/core/diagnosis/problem';

interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  markdownDescription?: string;
  description?: string;
}

const cell = (text: string): string => text.replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim();

export function settingsTable(packageJson: { contributes?: { configuration?: { properties?: Record<string, SettingSchema> } } }): string {
  const props = packageJson.contributes?.configuration?.properties ?? {};
  const rows = Object.entries(props).map(([name, s]) => {
    const range = [s.minimum !== undefined ? `min ${s.minimum}` : '', s.maximum !== undefined ? `max ${s.maximum}` : '']
      .filter(Boolean)
      .join(', ');
    const values = s.enum ? s.enum.map((v) => `\`${String(v)}\``).join(', ') : range;
    return `| \`${name}\` | \`${JSON.stringify(s.default)}\` | ${cell(values)} | ${cell(s.markdownDescription ?? s.description ?? '')} |`;
  });
  return ['| setting | default | values | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

export function troubleshootingTable(): string {
  const rows = DIAGNOSIS_CODES.map((code) => {
    const e = CATALOGUE[code];
    return `| \`${code}\` | ${cell(e.title)} | ${cell(e.fix)} |`;
  });
  return ['| code | what is wrong | what to do |', '|---|---|---|', ...rows].join('\n');
}

export const GENERATED_SECTIONS = ['settings', 'troubleshooting'] as const;
export type GeneratedSection = (typeof GENERATED_SECTIONS)[number];

export function renderSection(name: GeneratedSection, projectDir: string): string {
  if (name === 'settings') return settingsTable(JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')));
  return troubleshootingTable();
}

const marker = (name: string, end = false): string => `<!-- ${end ? '/' : ''}generated:${name} -->`;

/** The README with every generated section replaced by its current rendering. */
export function regenerate(readme: string, projectDir: string): string {
  let out = readme;
  for (const name of GENERATED_SECTIONS) {
    const start = out.indexOf(marker(name));
    const end = out.indexOf(marker(name, true));
    if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${marker(name)} … ${marker(name, true)}`);
    out = `${out.slice(0, start + marker(name).length)}\n${renderSection(name, projectDir)}\n${out.slice(end)}`;
  }
  return out;
}
