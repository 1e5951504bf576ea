"""Writes one check file per spec and registers it. Run from the repo root."""
import os, re, sys, textwrap

ROOT = 'crates/garrison-checks/src'

def doc_lines(text):
    return '\n'.join('    /// ' + l if l.strip() else '    ///' for l in textwrap.dedent(text).strip().split('\n'))

def check(area, stem, id, name, title, sev, level, control, what, why, fix, refs,
          body, cis=None, sh=None, remediation='', kinds='&[]', uses=''):
    os.makedirs(f'{ROOT}/checks/{area}', exist_ok=True)
    doc = f"## What it does\n{textwrap.dedent(what).strip()}\n\n## Why it matters\n{textwrap.dedent(why).strip()}\n\n## How to fix\n{textwrap.dedent(fix).strip()}\n\n## References\n" + '\n'.join('- ' + r for r in refs)
    cis_s = f'Some("{cis}")' if cis else 'None'
    sh_s = f'Some("{sh}")' if sh else 'None'
    src = f'''{uses.strip()}

declare_check! {{
{doc_lines(doc)}
    pub static META = CheckMeta {{
        id: "{id}",
        name: "{name}",
        title: "{title}",
        severity: Severity::{sev},
        level: Level::{level},
        control: SeedControl::{control},
        cis: {cis_s},
        security_hub: {sh_s},
        pss: None,
        remediation: "{remediation}",
    }};
}}

{textwrap.dedent(body).strip()}
'''
    open(f'{ROOT}/checks/{area}/{stem}.rs', 'w').write(src)
    # mod.rs
    modp = f'{ROOT}/checks/{area}/mod.rs'
    mod = open(modp).read() if os.path.exists(modp) else f'//! {area} checks.\n'
    if f'pub mod {stem};' not in mod:
        mod = mod.rstrip('\n') + f'\npub mod {stem};\n'
        open(modp, 'w').write(mod)
    top = open(f'{ROOT}/checks/mod.rs').read()
    if f'pub mod {area};' not in top:
        top = top.replace('pub mod access;', f'pub mod access;\npub mod {area};', 1) if area != 'access' else top
        open(f'{ROOT}/checks/mod.rs', 'w').write(top)
    reg = open(f'{ROOT}/registry.rs').read()
    entry = f'''    Check {{
        meta: &{area}::{stem}::META,
        runner: Runner::Cluster {{
            kinds: {kinds},
            run: {area}::{stem}::evaluate,
        }},
    }},
'''
    if f'{area}::{stem}::META' not in reg:
        reg = reg.replace('];\n\n/// The check with this id', entry + '];\n\n/// The check with this id', 1)
        open(f'{ROOT}/registry.rs', 'w').write(reg)

USES = '''use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};'''
