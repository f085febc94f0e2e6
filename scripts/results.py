#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Result formats of the harness.

The harness records one line per result in a tab-separated file (see
record() in lib.sh): status, stage, name, detail, log file, nested TAP file,
seconds. This script reads what the kernel's tools wrote and turns it into
such lines, and renders the file for CI engines:

  kunit JSON TESTLOG KTAP LOGDIR PREFIX
      per-case results of a kunit.py run from its --json output; each
      case's log is taken from the kernel log (TESTLOG) with the kernel's
      own KTAP parser (tools/testing/kunit/kunit_parser.py, found through
      KUNIT_DIR); the whole KTAP is written to KTAP for nesting
  tap TAPFILE LOGDIR PREFIX
      per-case results of a kselftest TAP 13 file, each with its log
  render RESULTS STAGES TAP XML
      write TAP 13 / KTAP (TAP) and JUnit XML (XML); print
      "PASSED FAILED SKIPPED"
"""

import os
import re
import sys
import time
from xml.sax.saxutils import escape, quoteattr

LOG_MAX = 64 * 1024


def clean(text):
    """One field of a record: no tabs or newlines."""
    return re.sub(r'[\t\r\n]+', ' ', text).strip()


def safe_name(name):
    return re.sub(r'[^A-Za-z0-9._-]+', '_', name)[:120]


def emit(status, name, detail='', log=''):
    print('\t'.join([status, clean(name), clean(detail), log]))


def write_log(logdir, prefix, name, lines):
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, safe_name(prefix + name) + '.log')
    with open(path, 'w', encoding='utf-8', errors='replace') as f:
        f.write('\n'.join(lines) + '\n')
    return path


# --- kunit.py --json --------------------------------------------------------

def kunit(json_file, test_log, ktap_out, logdir, prefix):
    import json
    sys.path.insert(0, os.environ['KUNIT_DIR'])
    import kunit_parser
    import kunit_printer

    with open(json_file, encoding='utf-8') as f:
        top = json.load(f)
    logs = {}
    try:
        with open(test_log, encoding='utf-8', errors='replace') as f:
            raw = f.readlines()
    except OSError:
        raw = []
    stream = kunit_parser.extract_tap_lines(raw)
    with open(ktap_out, 'w', encoding='utf-8') as f:
        while stream:
            f.write(stream.pop() + '\n')
    parsed = kunit_parser.parse_run_tests(raw, kunit_printer.null_printer)

    def walk(test, path):
        for sub in test.subtests:
            logs['.'.join(path + [sub.name])] = sub.log
            walk(sub, path + [sub.name])
    walk(parsed, [])

    count = 0

    def group(g, path):
        nonlocal count
        for case in g.get('test_cases', []):
            p = path + [case['name']]
            name = '.'.join(p)
            status = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(case['status'], 'FAIL')
            detail = '' if status == 'PASS' else case['status']
            log = logs.get(name)
            emit(status, prefix + name, detail,
                 write_log(logdir, prefix, name, log) if log else '')
            count += 1
        for sub in g.get('sub_groups', []):
            group(sub, path + [sub['name']])

    for suite in top.get('sub_groups', []):
        group(suite, [suite['name']])
    for case in top.get('test_cases', []):
        # a top-level case is a suite without cases: kunit.py reports a
        # crashed or empty suite this way
        status = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(case['status'], 'FAIL')
        emit(status, prefix + case['name'], case['status'])
        count += 1
    return 0 if count else 1


# --- kselftest TAP ----------------------------------------------------------

RESULT = re.compile(r'^(not )?ok (\d+) ([^#]*?)\s*(?:#\s*(\w+)\s*(.*))?$')


def tap(tap_file, logdir, prefix):
    try:
        with open(tap_file, encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        return 1
    pending = []
    count = 0
    for line in lines:
        pending.append(line)
        m = RESULT.match(line)
        if not m:
            continue
        name = m.group(3).strip()
        directive = (m.group(4) or '').upper()
        if m.group(1):
            status, detail = 'FAIL', m.group(5) or ''
        elif directive == 'SKIP':
            status, detail = 'SKIP', m.group(5) or ''
        elif directive == 'XFAIL':
            status, detail = 'PASS', 'XFAIL ' + (m.group(5) or '')
        elif directive:
            # a comment on a passing case, kept as its message
            status, detail = 'PASS', m.group(4) + ' ' + (m.group(5) or '')
        else:
            status, detail = 'PASS', ''
        emit(status, prefix + name, detail,
             write_log(logdir, prefix, name, pending))
        pending = []
        count += 1
    return 0 if count else 1


# --- rendering --------------------------------------------------------------

def read_records(path):
    recs = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                fields = line.rstrip('\n').split('\t')
                fields += [''] * (7 - len(fields))
                recs.append(dict(zip(('status', 'stage', 'name', 'detail',
                                      'log', 'nested', 'seconds'), fields)))
    except OSError:
        pass
    return recs


def read_stages(path):
    stages = {}
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                name, start, end, rc = (line.rstrip('\n').split('\t') + [''] * 4)[:4]
                stages[name] = (int(start), int(end), rc)
    except (OSError, ValueError):
        pass
    return stages


def read_text(path, limit=LOG_MAX):
    if not path:
        return ''
    try:
        with open(path, 'rb') as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read().decode('utf-8', errors='replace')
    except OSError:
        return ''
    if size > limit:
        data = '[... %d bytes before this cut ...]\n' % (size - limit) + data
    # XML 1.0 cannot carry most control characters
    return re.sub(r'[\x00-\x08\x0b\x0c\x0e-\x1f]', '', data)


def render(results, stages_file, tap_out, xml_out):
    recs = read_records(results)
    stages = read_stages(stages_file)
    n = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}

    with open(tap_out + '.tmp', 'w', encoding='utf-8') as t:
        t.write('TAP version 13\n1..%d\n' % len(recs))
        stage = None
        for i, r in enumerate(recs, 1):
            n[r['status']] = n.get(r['status'], 0) + 1
            if r['stage'] != stage:
                stage = r['stage']
                if stage in stages:
                    s, e, rc = stages[stage]
                    t.write('# stage %s: %s to %s, %d s, exit %s\n' % (
                        stage, time.strftime('%H:%M:%S', time.localtime(s)),
                        time.strftime('%H:%M:%S', time.localtime(e)), e - s, rc))
            if r['nested']:
                # the tool's own TAP/KTAP, kept as a subtest of this result
                for line in read_text(r['nested'], 1 << 30).splitlines():
                    t.write(('    ' + line).rstrip() + '\n')
            name = r['name'].replace('#', '\\#')
            if r['status'] == 'PASS':
                t.write('ok %d %s\n' % (i, name))
            elif r['status'] == 'SKIP':
                t.write('ok %d %s # SKIP %s\n' % (i, name, r['detail']))
            else:
                t.write('not ok %d %s\n' % (i, name))
            if r['status'] != 'SKIP' and (r['detail'] or r['log']):
                t.write('  ---\n')
                if r['detail']:
                    t.write('  message: %s\n' % quote_yaml(r['detail']))
                if r['log']:
                    t.write('  log: %s\n' % quote_yaml(r['log']))
                t.write('  ...\n')
    os.replace(tap_out + '.tmp', tap_out)

    with open(xml_out + '.tmp', 'w', encoding='utf-8') as x:
        order = []
        for r in recs:
            if r['stage'] not in order:
                order.append(r['stage'])
        # wall-clock time: stages may overlap (readme runs alongside patches)
        spans = [stages[s] for s in order if s in stages]
        total_time = (max(sp[1] for sp in spans) - min(sp[0] for sp in spans)) if spans else 0
        x.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        x.write('<testsuites name="pci-ep-rr make check" tests="%d" failures="%d" '
                'skipped="%d" time="%d">\n' % (len(recs), n['FAIL'], n['SKIP'], total_time))
        for s in order:
            rs = [r for r in recs if r['stage'] == s]
            attrs = 'name=%s tests="%d" failures="%d" skipped="%d" errors="0"' % (
                quoteattr(s or 'harness'), len(rs),
                sum(r['status'] == 'FAIL' for r in rs),
                sum(r['status'] == 'SKIP' for r in rs))
            if s in stages:
                attrs += ' time="%d" timestamp="%s"' % (
                    stages[s][1] - stages[s][0],
                    time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(stages[s][0])))
            x.write('  <testsuite %s>\n' % attrs)
            for r in rs:
                x.write('    <testcase classname=%s name=%s%s>\n' % (
                    quoteattr(s or 'harness'), quoteattr(r['name']),
                    ' time="%s"' % r['seconds'] if r['seconds'] else ''))
                if r['status'] == 'FAIL':
                    x.write('      <failure message=%s/>\n' % quoteattr(r['detail'] or 'failed'))
                elif r['status'] == 'SKIP':
                    x.write('      <skipped message=%s/>\n' % quoteattr(r['detail']))
                log = read_text(r['log'])
                if log:
                    x.write('      <system-out>%s</system-out>\n' % escape(log))
                x.write('    </testcase>\n')
            x.write('  </testsuite>\n')
        x.write('</testsuites>\n')
    os.replace(xml_out + '.tmp', xml_out)
    print(n['PASS'], n['FAIL'], n['SKIP'])
    return 0


def quote_yaml(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def main(argv):
    cmds = {'kunit': (kunit, 5), 'tap': (tap, 3), 'render': (render, 4)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) != cmds[argv[1]][1] + 2:
        sys.stderr.write(__doc__)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
