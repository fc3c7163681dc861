import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, ExportFormat } from '../../shared/exports/index.js';

describe('export format registry', () => {
  it('parses the format query values and refuses others', () => {
    expect(EXPORT_FORMATS.map((format) => ExportFormat.parse(format))).toEqual([
      'atlas',
      'evchart',
      'beckn',
      'csv',
    ]);
    expect(ExportFormat.safeParse('xml').success).toBe(false);
  });

  it('says which entity types each format can hold and how it is served', () => {
    expect(EXPORT_FORMAT_INFO.evchart.entityTypes).toEqual(['CP']);
    for (const format of ['atlas', 'beckn', 'csv'] as const) {
      expect(EXPORT_FORMAT_INFO[format].entityTypes).toEqual(['EV', 'CP']);
    }
    expect(EXPORT_FORMATS.filter((format) => EXPORT_FORMAT_INFO[format].streamed)).toEqual([
      'evchart',
      'csv',
    ]);
    expect(EXPORT_FORMAT_INFO.csv.mediaType).toMatch(/^text\/csv; charset=utf-8/);
  });
});
