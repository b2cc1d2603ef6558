//! ## What it does
//! Finds Lambda functions whose deployment package cannot work: a
//! `filename` (CDKTF) or `FileArchive` (Pulumi) naming a zip that does not
//! exist beside the program, a `source_code_hash` computed from source text
//! (`base64.b64encode(code.encode())`, a hash of a string) instead of the
//! package, and code held in a string in the program. The fix writes that
//! code to a source folder beside the program (`lambda_src/<handler
//! module>.py` or `.js`; never over an existing file: another folder is
//! chosen), packages the folder the way the framework does, and points the
//! function at the package:
//!
//! - CDKTF: a `TerraformAsset` of type `AssetType.ARCHIVE` (or the archive
//!   provider's `DataArchiveFile` when the file already uses it); `filename`
//!   and `source_code_hash` refer to it.
//! - Pulumi: `code` becomes a `FileArchive` of the folder, and the string
//!   hash is dropped (Pulumi hashes archives itself).
//! - AWS CDK: `lambda.Code.fromInline("...")` becomes
//!   `lambda.Code.fromAsset(path.join(__dirname, "lambda_src"))`
//!   (`new lambda.InlineCode(...)` becomes `new lambda.AssetCode(...)`;
//!   Python: `Code.from_asset(os.path.join(os.path.dirname(...),
//!   "lambda_src"))`). Inline code one variable holds for several functions
//!   is packaged once. Code the app reads from a file
//!   (`fromInline(fs.readFileSync(...))`) is not in a string and is left
//!   alone.
//!
//! When another file in the same folder may package code too, each file's
//! sources go to a folder named after it (`lambda_src_<file>`), so the
//! result never depends on which file is written first.
//!
//! The handler is corrected when the code defines exactly one function and
//! the handler names another. Code is read through variables and calls
//! that only trim it (`textwrap.dedent(...)`, `.strip()`, `.trim()`).
//!
//! The variable that held the code is removed when nothing else in the
//! file reads it any more, and so are variables made only from it (a hash,
//! an archive of it) and imports left unused (`base64`, `hashlib`,
//! `crypto`, `textwrap`). A variable something else still reads, an
//! exported one, or one declared beside others in one statement stays. Code
//! several functions share goes once all of them are packaged in one run.
//! `--dry-run` shows the new file as a diff from `/dev/null`.
//!
//! ## Why is this bad?
//! Terraform reads `filename` when it plans: a zip that nothing builds
//! fails the deployment ("no such file or directory"). A hash of the source
//! text is not the hash of any package, so the function is either updated
//! on every run or never. Code inside a string is not linted, tested or
//! reviewed as code.
//!
//! ## Example
//! ```python
//! lambda_code = """
//! def lambda_handler(event, context):
//!     return {"statusCode": 200}
//! """
//! LambdaFunction(
//!     self, "thumbnails",
//!     handler="index.lambda_handler",
//!     filename="lambda_function.zip",
//!     source_code_hash=base64.b64encode(lambda_code.encode()).decode(),
//!     ...
//! )
//! ```
//!
//! Use instead:
//! (`lambda_src/index.py` now holds the code)
//! ```python
//! thumbnails_asset = TerraformAsset(
//!     self, "thumbnails-asset",
//!     path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "lambda_src"),
//!     type=AssetType.ARCHIVE,
//! )
//! LambdaFunction(
//!     self, "thumbnails",
//!     handler="index.lambda_handler",
//!     filename=thumbnails_asset.path,
//!     source_code_hash=thumbnails_asset.asset_hash,
//!     ...
//! )
//! ```
//!
//! ## Fix safety
//! Unsafe: it creates a file, and the function is redeployed from the new
//! package. A missing zip with no inline code to package is reported
//! without a fix (build the zip, or point the function at its sources), as
//! is code in an f-string or template with substitutions. An AWS CDK
//! TypeScript program compiled to another folder (`outDir` in
//! `tsconfig.json`, and `cdk.json` does not run it with ts-node or tsx)
//! gets no fix: `__dirname` is not the source folder there. Nor does code
//! whose new file git would ignore (the CDK and CDKTF TypeScript templates
//! ignore `*.js`: other clones would lack it; a `!` rule in `.gitignore`
//! that keeps the file lifts this), or code that does not parse.
//!
//! ## Satisfies
//! No scanner checks this: it is a deployment failure, not a setting.

use crate::edit::{Edit, Fix, NewFile, NewValue};
use crate::facts::same_file;
use crate::lang::NodeExt;
use crate::model::{string_value, Framework, Lookup, Resource, Scalar, SourceFile, Val};
use crate::new_resource::NewResource;
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

pub struct LambdaPackaging;

pub static META: Meta = Meta {
    code: "LAM001",
    name: "lambda-packaging",
    summary: "Lambda functions must be packaged from source files, not strings or missing zips",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("lambda_packaging.rs"),
};

/// The AWS CDK functions whose `code` may be inline: `lambda.Function`
/// and `lambda.SingletonFunction` (the bundling constructs take an entry
/// file).
const CDK_FUNCTIONS: &[&str] = &[
    "aws-cdk-lib.aws_lambda.Function",
    "aws-cdk-lib.aws_lambda.SingletonFunction",
];

/// The folder new function sources go to, beside the program file.
pub const SOURCE_DIR: &str = "lambda_src";

/// Calls that hash or encode text; a package hash comes from the package.
const TEXT_HASHES: &[&str] = &[
    "b64encode",
    "Buffer.from",
    "createHash",
    "hashlib",
    "sha256(",
    "md5(",
];
const PACKAGE_HASHES: &[&str] = &[
    "filebase64sha256",
    "output_base64sha256",
    "output_base64_sha256",
    "outputBase64Sha256",
    "outputBase64sha256",
    "asset_hash",
    "assetHash",
    "readFileSync",
    "open(",
    "read_bytes",
];

/// What is wrong with one function's package.
#[derive(Default)]
struct Package<'t> {
    problems: Vec<String>,
    /// The string holding the code.
    code: Option<Node<'t>>,
    /// The file name the code has inside an inline archive (`index.js`).
    inline_name: Option<String>,
    /// The string hash expression to replace or drop.
    hash: Option<Node<'t>>,
}

impl Rule for LambdaPackaging {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        &[crate::facts::Fact::Mentions {
            markers: INLINE_MARKERS,
        }]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let mut taken: Vec<PathBuf> = p.created.clone();
        // (finding, its plan, or the index of the function whose inline
        // code it shares: AWS CDK code written once and given to several
        // functions is packaged once, by the same fix)
        type Planned = (Finding, Result<Result<Plan, String>, usize>);
        let mut planned: Vec<Planned> = Vec::new();
        let mut written: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        for res in p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_lambda_function" || CDK_FUNCTIONS.contains(&r.tf_type))
        {
            let pkg = inspect(p, res);
            if pkg.problems.is_empty() {
                continue;
            }
            let cdk = res.flavor.framework() == Framework::AwsCdk;
            let msg = if cdk {
                "The function's code is held in a string in the program, where it is not linted, tested or reviewed as code".to_string()
            } else {
                format!(
                    "The function cannot be deployed as written: {}",
                    pkg.problems.join("; ")
                )
            };
            let finding = Finding::at(&META, p, res, res.head(), msg);
            let code_at = match p.get(&p.props(res), "code") {
                Lookup::Present(v) if cdk => Some(p.resolve(v.node).unwrap_or(v.node).byte_range()),
                _ => None,
            };
            let first = code_at
                .as_ref()
                .and_then(|at| written.iter().find(|(w, _)| w == at).map(|(_, i)| *i));
            match (first, code_at) {
                (Some(i), _) => planned.push((finding, Err(i))),
                (None, at) => {
                    if let Some(at) = at {
                        written.push((at, planned.len()));
                    }
                    planned.push((finding, Ok(fix(p, res, &pkg, &mut taken))));
                }
            }
        }
        // What only all these fixes together leave unused (a code string
        // two functions share) goes once every one of them applies.
        let plans: Vec<&Plan> = planned
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok()?.as_ref().ok())
            .collect();
        let cleanup = shared_cleanup(p, &plans);
        let fixes: Vec<Result<Fix, String>> = planned
            .iter()
            .map(|(_, plan)| match plan {
                Ok(Ok(plan)) => Ok(plan.fix.clone().with_cleanup(cleanup.clone())),
                Ok(Err(why)) => Err(why.clone()),
                Err(_) => Err(String::new()),
            })
            .collect();
        for (i, (finding, plan)) in planned.into_iter().enumerate() {
            let fix = match plan {
                Err(first) => &fixes[first],
                Ok(_) => &fixes[i],
            };
            match fix {
                Ok(fix) => out.push(finding.with_fix(fix.clone())),
                Err(why) => out.push(finding.without_fix(why.clone())),
            }
        }
    }
}

/// One function's fix, and what it takes out of the file.
struct Plan {
    fix: Fix,
    /// The code the fix replaces or removes (values, arguments).
    replaced: Vec<std::ops::Range<usize>>,
    /// That code and the statements the fix removes.
    removed: Vec<std::ops::Range<usize>>,
}

/// The modules whose imports a fix may leave unused.
const HASH_MODULES: &[&str] = &["base64", "hashlib", "crypto", "textwrap"];

/// Edits that remove what the fixes of `plans` together leave unused but
/// none of them alone does: variables they all stop using, and imports.
fn shared_cleanup(p: &SourceFile, plans: &[&Plan]) -> Vec<Edit> {
    if plans.len() < 2 {
        return Vec::new();
    }
    let replaced: Vec<std::ops::Range<usize>> =
        plans.iter().flat_map(|pl| pl.replaced.clone()).collect();
    let mut removed: Vec<std::ops::Range<usize>> =
        plans.iter().flat_map(|pl| pl.removed.clone()).collect();
    let dead = dead_declarations(p, &replaced, &removed);
    removed.extend(dead.iter().map(|s| s.byte_range()));
    let mut edits = p.remove_statements(&dead);
    for module in HASH_MODULES {
        let each_keeps = plans.iter().all(|pl| p.uses_outside(module, &pl.removed));
        if each_keeps && !p.uses_outside(module, &removed) {
            edits.extend(p.remove_unused_import(module, &removed));
        }
    }
    edits
}

fn inspect<'t>(p: &SourceFile<'t>, res: &Resource<'t>) -> Package<'t> {
    let obj = p.props(res);
    let mut pkg = Package::default();
    match res.flavor.framework() {
        Framework::AwsCdk => {
            if let Lookup::Present(v) = p.get(&obj, "code") {
                inline_code(p, v.node, &mut pkg);
            }
        }
        Framework::Cdktf => {
            if let Lookup::Present(v) = p.get(&obj, "filename") {
                if let Scalar::Str(name) = p.literal(v) {
                    if is_missing_zip(p, &name) {
                        pkg.problems.push(format!(
                            "`filename` names `{name}`, which does not exist beside the program"
                        ));
                    }
                }
            }
        }
        Framework::Pulumi => {
            if let Lookup::Present(v) = p.get(&obj, "code") {
                archive(p, v.node, &mut pkg);
            }
        }
    }
    if let Lookup::Present(v) = p.get(&obj, "source_code_hash") {
        let node = p.resolve(v.node).unwrap_or(v.node);
        let text = p.text(node);
        if TEXT_HASHES.iter().any(|h| text.contains(h))
            && !PACKAGE_HASHES.iter().any(|h| text.contains(h))
        {
            pkg.problems.push(format!(
                "`{}` is computed from source text, not from the package",
                p.display_path(&obj, "source_code_hash")
            ));
            pkg.hash = Some(v.node);
            if pkg.code.is_none() {
                pkg.code = code_string(p, node);
            }
        }
    }
    if pkg.inline_name.is_some() {
        pkg.problems
            .push("its code is held in a string in the program".into());
    }
    pkg
}

/// Looks at an AWS CDK function's `code`: `Code.fromInline("...")` or
/// `new InlineCode("...")` of a string written in the program (code read
/// from a file at synth time is not held in a string).
fn inline_code<'t>(p: &SourceFile<'t>, node: Node<'t>, pkg: &mut Package<'t>) {
    let node = p.resolve(node).unwrap_or(node);
    let Some((class, args)) = constructor(p, node) else {
        return;
    };
    let inline = match node.kind_str() {
        "new_expression" => class == "InlineCode",
        _ => matches!(class, "fromInline" | "from_inline" | "InlineCode"),
    };
    if !inline {
        return;
    }
    if let Some(code) = args.first().and_then(|a| text_literal(p, *a)) {
        pkg.code = Some(code);
        pkg.problems
            .push("its code is held in a string in the program".into());
    }
}

/// Looks at a Pulumi `code` archive: a missing zip, or inline code.
fn archive<'t>(p: &SourceFile<'t>, node: Node<'t>, pkg: &mut Package<'t>) {
    let node = p.resolve(node).unwrap_or(node);
    let Some((class, args)) = constructor(p, node) else {
        return;
    };
    let Some(first) = args.first().copied() else {
        return;
    };
    match class {
        "FileArchive" => {
            if let Scalar::Str(name) = p.literal(Val { node: first }) {
                if is_missing_zip(p, &name) {
                    pkg.problems.push(format!(
                        "its code archive `{name}` does not exist beside the program"
                    ));
                }
            }
        }
        "AssetArchive" => {
            let Some(map) = p.resolve(first) else {
                return;
            };
            let mut cursor = map.walk();
            for pair in map
                .named_children(&mut cursor)
                .filter(|n| n.kind_str() == "pair")
            {
                let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
                    continue;
                };
                let Some(("StringAsset", inner)) = constructor(p, value) else {
                    continue;
                };
                let Some(code) = inner.first().and_then(|a| text_literal(p, *a)) else {
                    continue;
                };
                {
                    let name = match p.literal(Val { node: key }) {
                        Scalar::Str(s) => s,
                        _ => p.text(key).to_string(),
                    };
                    pkg.inline_name = Some(name);
                    pkg.code = Some(code);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// The class name and arguments of `new a.b.C(...)` / `a.b.C(...)`.
fn constructor<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<(&'t str, Vec<Node<'t>>)> {
    let field = match node.kind_str() {
        "new_expression" => "constructor",
        "call" | "call_expression" => "function",
        _ => return None,
    };
    let callee = node.field(field)?;
    let class = *p.chain(callee)?.last()?;
    let args = node.field("arguments")?;
    let mut cursor = args.walk();
    let list: Vec<Node<'t>> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    Some((class, list))
}

/// The string of code an expression hashes: the longest string literal it
/// holds or refers to that looks like a program.
fn code_string<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let mut best: Option<Node<'t>> = None;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let target = match n.kind_str() {
            "identifier" => text_literal(p, n),
            "string" | "template_string" => Some(n),
            _ => None,
        };
        if let Some(s) = target.filter(|s| matches!(s.kind_str(), "string" | "template_string")) {
            let text = p.text(s);
            let longer = best.map_or(true, |b| p.text(b).len() < text.len());
            if text.contains('\n') && longer {
                best = Some(s);
            }
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    best
}

/// The string literal an expression stands for, through variables and
/// calls that only trim or dedent it (`textwrap.dedent("""...""")`,
/// `` `...`.trim() ``).
fn text_literal<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<Node<'t>> {
    const TRIMS: &[&str] = &[
        "dedent",
        "strip",
        "lstrip",
        "rstrip",
        "trim",
        "trimStart",
        "trimEnd",
    ];
    let mut node = node;
    for _ in 0..8 {
        let n = p.resolve(node)?;
        match n.kind_str() {
            "string" | "template_string" => return Some(n),
            "call" | "call_expression" => {
                let func = n.field("function")?;
                let (last, object) = match func.kind_str() {
                    "member_expression" => (func.field("property")?, func.field("object")),
                    "attribute" => (func.field("attribute")?, func.field("object")),
                    _ => (func, None),
                };
                let last = p.text(last);
                if !TRIMS.contains(&last) {
                    return None;
                }
                node = match object {
                    // `"...".strip()`; `textwrap.dedent("...")` takes its argument
                    Some(o) if last != "dedent" => o,
                    _ => n.field("arguments")?.named_child(0)?,
                };
            }
            _ => return None,
        }
    }
    None
}

/// Whether `name` is a zip that exists neither beside the file nor in the
/// program folder. Unknown (no path): not missing.
fn is_missing_zip(p: &SourceFile, name: &str) -> bool {
    if !name.ends_with(".zip") {
        return false;
    }
    let Some(dir) = p.ctx.dir() else {
        return false;
    };
    let mut places = vec![dir.join(name)];
    if let Some(facts) = &p.ctx.facts {
        places.push(facts.root.join(name));
    }
    !places.iter().any(|f| f.exists())
}

/// The text a string literal stands for, when it is fixed text.
fn decode(p: &SourceFile, node: Node) -> Result<String, String> {
    let text = p.text(node);
    let prefix: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    if prefix.contains('f') || prefix.contains('b') {
        return Err("the code is an f-string or bytes, built at run time".into());
    }
    if node.kind_str() == "template_string" && p.text(node).contains("${") {
        return Err("the code is a template with substitutions, built at run time".into());
    }
    let body = string_value(p.src, node);
    let value = if prefix.contains('r') || !body.contains('\\') {
        body.to_string()
    } else {
        unescape(body).ok_or("the code string uses escapes iacfix does not decode")?
    };
    let value = value.strip_prefix('\n').unwrap_or(&value).to_string();
    let mut out = dedent(&value);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            '`' => out.push('`'),
            '$' => out.push('$'),
            '\n' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Removes the indentation every non-blank line shares.
fn dedent(text: &str) -> String {
    let common = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(common..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The functions a module defines at its top level.
fn defined_functions(code: &str, python: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let ident = |rest: &str| -> String {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect()
        };
        let name = if python {
            line.strip_prefix("def ")
                .or_else(|| line.strip_prefix("async def "))
                .map(ident)
        } else {
            [
                "exports.",
                "module.exports.",
                "export const ",
                "export async function ",
                "export function ",
                "export let ",
            ]
            .iter()
            .find_map(|pre| line.trim_start().strip_prefix(pre).map(ident))
        };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

fn fix(
    p: &SourceFile,
    res: &Resource,
    pkg: &Package,
    taken: &mut Vec<PathBuf>,
) -> Result<Plan, String> {
    let code_node = pkg.code.ok_or(
        "there is no inline code to package; build the zip or point the function at its sources",
    )?;
    let code = decode(p, code_node)?;
    let obj = p.props(res);
    let stmt = p
        .statement_of(res.call)
        .ok_or("the function is created inside an expression")?;
    let runtime = match p.get(&obj, "runtime") {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(s) => s,
            _ => p.text(v.node).to_ascii_lowercase(),
        },
        _ => String::new(),
    };
    let python = if runtime.contains("python") {
        true
    } else if runtime.contains("node") {
        false
    } else {
        code.contains("def ")
    };
    let handler = match p.get(&obj, "handler") {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(s) => Some((v, s)),
            _ => return Err("the handler is computed at run time".into()),
        },
        _ => None,
    };
    let (module, function) = match (&pkg.inline_name, &handler) {
        (Some(name), _) => {
            let stem = Path::new(name)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("index")
                .to_string();
            let function = handler
                .as_ref()
                .and_then(|(_, h)| h.rsplit_once('.').map(|(_, f)| f.to_string()))
                .unwrap_or_else(|| "handler".into());
            (stem, function)
        }
        (None, Some((_, h))) => match h.rsplit_once('.') {
            Some((m, f)) => (m.to_string(), f.to_string()),
            None => return Err(format!("the handler `{h}` names no module")),
        },
        (None, None) => return Err("the function has no handler".into()),
    };
    if module.is_empty() || module.contains(['/', '\\']) {
        return Err(format!(
            "the handler module `{module}` is not a plain file name"
        ));
    }
    // The function's own code is a module when a line opens with an
    // `export` or `import` keyword.
    let keyword = |l: &str, word: &str| l.strip_prefix(word).is_some_and(|r| r.starts_with(' '));
    let esm = !python
        && code
            .lines()
            .any(|l| keyword(l, "export") || keyword(l, "import"));
    let ext = match (python, esm) {
        (true, _) => "py",
        (false, true) => "mjs",
        (false, false) => "js",
    };
    let file_name = format!("{module}.{ext}");
    let base = p.base_words(res, "function");
    let (folder, new_file) = choose_folder(p, &base, &file_name, &code, taken)?;
    // a file git ignores is missing from every other clone of the program
    // (the TypeScript templates of CDK and CDKTF ignore `*.js`)
    if let (Some(dir), Some(source)) = (p.ctx.dir(), p.ctx.path.as_deref()) {
        let target = dir.join(&folder).join(&file_name);
        let ignored = crate::files::git_ignored(&target)
            .filter(|_| crate::files::git_ignored(source).is_none());
        if let Some(gitignore) = ignored {
            return Err(format!(
                "`{folder}/{file_name}` would be ignored by git ({}), so other clones of the program would not have it; keep the code in a file git tracks and point the function at it",
                gitignore.display()
            ));
        }
    }
    // code that does not parse is not written to a file as if it were a
    // module
    let lang = if python {
        crate::lang::Lang::Python
    } else {
        crate::lang::Lang::Tsx
    };
    if crate::lang::error_count(&crate::lang::parse(lang, &code)) > 0 {
        return Err("the inline code does not parse; fix it before it moves to a file".into());
    }
    let mut edits = Vec::new();
    let mut removed: Vec<std::ops::Range<usize>> = Vec::new();
    let mut imports: Vec<String> = Vec::new();

    // The handler the code can answer to.
    let defined = defined_functions(&code, python);
    if let Some((v, _)) = &handler {
        if !defined.contains(&function) && defined.len() == 1 {
            let fixed = format!("{module}.{}", defined[0]);
            edits.push(p.set_value(*v, &NewValue::Str(fixed), &obj, "handler"));
        }
    }

    let ctx = p.context_of(res);
    match res.flavor.framework() {
        Framework::AwsCdk => {
            let py = p.lang.is_python();
            let dir = if py {
                if let Some(line) = module_binding(p, "os", &["os"])? {
                    imports.push(line);
                }
                format!(
                    "os.path.join(os.path.dirname(os.path.abspath(__file__)), {})",
                    p.string(&folder)
                )
            } else {
                compiled_in_place(p)?;
                let name = match node_path_name(p) {
                    Some(name) => name,
                    None => {
                        if let Some(line) = module_binding(p, "path", &["path", "node:path"])? {
                            imports.push(line);
                        }
                        "path".to_string()
                    }
                };
                format!("{name}.join(__dirname, {})", p.string(&folder))
            };
            let Lookup::Present(v) = p.get(&obj, "code") else {
                return Err("the function's `code` is not written here".into());
            };
            // The inline code where it is written: a variable several
            // functions share is packaged once.
            let call = p.resolve(v.node).unwrap_or(v.node);
            removed.push(call.byte_range());
            let code = asset_code(p, res, call, &dir, &mut edits)?;
            edits.push(Edit::replace(call.byte_range(), code));
        }
        Framework::Cdktf => {
            let py = p.lang.is_python();
            let dir_expr = |name: &str| {
                if py {
                    format!(
                        "os.path.join(os.path.dirname(os.path.abspath(__file__)), {})",
                        p.string(name)
                    )
                } else {
                    format!("path.join(__dirname, {})", p.string(name))
                }
            };
            if py {
                imports.push(p.module_import("os", "os"));
            } else {
                imports.push(p.module_import("path", "path"));
            }
            let archive_file = imports_name(p, "DataArchiveFile");
            let var = p.fresh_var(
                &p.var_name(&format!(
                    "{base}_{}",
                    if archive_file { "zip" } else { "asset" }
                )),
                &[],
            );
            let (class, props, file_ref, hash_ref) = if archive_file {
                (
                    "DataArchiveFile",
                    vec![
                        ("type".to_string(), NewValue::str("zip")),
                        ("source_dir".to_string(), NewValue::Raw(dir_expr(&folder))),
                        (
                            "output_path".to_string(),
                            NewValue::Raw(dir_expr(&format!("{folder}.zip"))),
                        ),
                    ],
                    if py { "output_path" } else { "outputPath" },
                    if py {
                        "output_base64_sha256"
                    } else {
                        "outputBase64Sha256"
                    },
                )
            } else {
                edits.extend(p.import_names("cdktf", &["AssetType", "TerraformAsset"]));
                (
                    "TerraformAsset",
                    vec![
                        ("path".to_string(), NewValue::Raw(dir_expr(&folder))),
                        (
                            "type".to_string(),
                            NewValue::Raw("AssetType.ARCHIVE".into()),
                        ),
                    ],
                    "path",
                    if py { "asset_hash" } else { "assetHash" },
                )
            };
            let new = NewResource {
                tf_type: "",
                var: Some(var.clone()),
                name: p.derived_name(res, if archive_file { "zip" } else { "asset" }),
                props,
            };
            edits.push(p.insert_before(stmt, &[p.render_resource(&ctx, class, &new)]));
            let file_value = NewValue::Raw(format!("{var}.{file_ref}"));
            let hash_value = NewValue::Raw(format!("{var}.{hash_ref}"));
            for (attr, value) in [("filename", file_value), ("source_code_hash", hash_value)] {
                match p.get(&obj, attr) {
                    Lookup::Present(v) => {
                        removed.push(v.node.byte_range());
                        edits.push(p.set_value(v, &value, &obj, attr));
                    }
                    Lookup::Absent => edits.extend(p.insert_props(&obj, &[(attr, value)])?),
                    Lookup::Unknown(why) => return Err(format!("`{attr}` {why}")),
                }
            }
        }
        Framework::Pulumi => {
            let py = p.lang.is_python();
            let relative = program_relative(p, &folder);
            let pulumi = if p.is_declared("pulumi") {
                "pulumi".to_string()
            } else if py {
                imports.push(p.module_import("pulumi", "pulumi"));
                "pulumi".into()
            } else {
                imports.push(p.module_import("@pulumi/pulumi", "pulumi"));
                "pulumi".into()
            };
            let archive = if py {
                format!("{pulumi}.FileArchive({})", p.string(&relative))
            } else {
                format!("new {pulumi}.asset.FileArchive({})", p.string(&relative))
            };
            let hash_entry = match pkg.hash {
                Some(hash) => Some(
                    p.parent(hash)
                        .filter(|e| matches!(e.kind_str(), "pair" | "keyword_argument"))
                        .ok_or("the source code hash is not an argument written here")?,
                ),
                None => None,
            };
            match (p.get(&obj, "code"), hash_entry) {
                (Lookup::Present(v), _) => {
                    removed.push(v.node.byte_range());
                    edits.push(p.set_value(v, &NewValue::Raw(archive), &obj, "code"));
                    if let Some(entry) = hash_entry {
                        removed.push(entry.byte_range());
                        edits.extend(p.remove_item(entry));
                    }
                }
                // The hash argument, removed anyway, becomes the code: code
                // added after the last argument would go inside it when it
                // is the last.
                (Lookup::Absent, Some(entry)) => {
                    let key = entry
                        .field(if py { "name" } else { "key" })
                        .ok_or("the source code hash has no name")?;
                    let Lookup::Present(v) = p.get(&obj, "source_code_hash") else {
                        return Err("the source code hash is not an argument written here".into());
                    };
                    removed.push(entry.byte_range());
                    let written = p.text(key);
                    let name = match written.chars().next() {
                        Some(q @ ('"' | '\'')) => format!("{q}code{q}"),
                        _ => "code".to_string(),
                    };
                    edits.push(Edit::replace(key.byte_range(), name));
                    edits.push(p.set_value(v, &NewValue::Raw(archive), &obj, "code"));
                }
                (Lookup::Absent, None) => {
                    edits.extend(p.insert_props(&obj, &[("code", NewValue::Raw(archive))])?)
                }
                (Lookup::Unknown(why), _) => return Err(format!("`code` {why}")),
            }
        }
    }

    // Variables that only the replaced code used (the one holding the
    // code, a hash or an archive made from it), and imports left unused.
    let replaced = removed.clone();
    let dead = dead_declarations(p, &replaced, &removed);
    removed.extend(dead.iter().map(|s| s.byte_range()));
    edits.extend(p.remove_statements(&dead));
    for module in HASH_MODULES {
        if p.uses_outside(module, &removed) {
            continue;
        }
        // `import base64` becomes `import os` in place, in its group, when
        // that keeps the imports sorted as they were (the other hash
        // modules' imports may go too)
        let import_os = p.module_import("os", "os");
        let hash_import = |n: Node| {
            HASH_MODULES
                .iter()
                .any(|m| p.text(n) == p.module_import(m, m))
        };
        let alone = p
            .imports
            .iter()
            .find(|i| p.text(**i) == p.module_import(module, module))
            .filter(|i| p.sorts_in_place(**i, &import_os, &hash_import));
        let os = imports.iter().position(|l| *l == import_os);
        match (alone, os) {
            (Some(stmt), Some(i))
                if !p.is_declared("os") && !p.imports.iter().any(|i| p.text(*i) == import_os) =>
            {
                imports.remove(i);
                edits.push(Edit::replace(stmt.byte_range(), import_os));
            }
            _ => edits.extend(p.remove_unused_import(module, &removed)),
        }
    }
    edits.extend(p.add_imports(&imports));
    let mut new_files = Vec::new();
    if let Some(file) = new_file {
        taken.push(file.path.clone());
        new_files.push(file);
    }
    let mechanism = match res.flavor.framework() {
        Framework::Cdktf if imports_name(p, "DataArchiveFile") => "DataArchiveFile",
        Framework::Cdktf => "TerraformAsset",
        Framework::AwsCdk if p.lang.is_python() => "Code.from_asset",
        Framework::AwsCdk => "Code.fromAsset",
        Framework::Pulumi => "FileArchive",
    };
    let fix = Fix::unsafe_(
        format!("Package the function from `{folder}/{file_name}` with {mechanism}"),
        merge_inserts(edits),
    )
    .with_new_files(new_files);
    Ok(Plan {
        fix,
        replaced,
        removed,
    })
}

/// `Code.fromAsset(dir)` in place of the inline code call `call`, through
/// the module the file reaches `Code` by: `lambda.Code.fromInline(...)`
/// gives `lambda.Code.fromAsset(...)`, `new lambda.InlineCode(...)` gives
/// `new lambda.AssetCode(...)`.
fn asset_code(
    p: &SourceFile,
    res: &Resource,
    call: Node,
    dir: &str,
    edits: &mut Vec<Edit>,
) -> Result<String, String> {
    let py = p.lang.is_python();
    let (callee, new) = match call.kind_str() {
        "new_expression" => (call.field("constructor"), "new "),
        _ => (call.field("function"), ""),
    };
    let callee = callee.ok_or("the inline code is not a call iacfix can read")?;
    let object = match callee.kind_str() {
        "member_expression" | "attribute" => callee.field("object").map(|o| p.text(o)),
        _ => None,
    };
    let from_asset = if py { "from_asset" } else { "fromAsset" };
    match (p.text(callee).rsplit(['.']).next(), object) {
        (Some("fromInline" | "from_inline"), Some(code)) => {
            Ok(format!("{code}.{from_asset}({dir})"))
        }
        (Some("InlineCode"), Some(module)) => Ok(format!("{new}{module}.AssetCode({dir})")),
        (Some("InlineCode"), None) => {
            // `new InlineCode(...)` named in an import: `AssetCode` joins it
            let (module, import) = imported_from(p, "InlineCode")
                .ok_or("the file does not say where `InlineCode` comes from")?;
            let names = p.imported_names(import);
            let unused = !p.uses_outside("InlineCode", &[call.byte_range()]);
            match names.as_slice() {
                // `import { InlineCode } from ...`: the name is replaced
                [only] if unused && p.text(*only) == "InlineCode" => {
                    edits.push(Edit::replace(only.byte_range(), "AssetCode".to_string()));
                }
                _ => {
                    edits.extend(p.import_names(&module, &["AssetCode"]));
                    if unused {
                        edits.extend(p.remove_unused_import("InlineCode", &[call.byte_range()]));
                    }
                }
            }
            Ok(format!("{new}AssetCode({dir})"))
        }
        _ => {
            let code = crate::fixers::awscdk::module_member(p, res, "Code")?;
            Ok(format!("{code}.{from_asset}({dir})"))
        }
    }
}

/// The module an import of the file names `name` from, and the import.
fn imported_from<'t>(p: &SourceFile<'t>, name: &str) -> Option<(String, Node<'t>)> {
    p.imports.iter().find_map(|i| {
        let names = p.imported_names(*i);
        if !names.iter().any(|n| p.text(*n) == name) {
            return None;
        }
        let source = i.field("source").or_else(|| i.field("module_name"))?;
        let module = match source.kind_str() {
            "string" => string_value(p.src, source).to_string(),
            _ => p.text(source).to_string(),
        };
        Some((module, *i))
    })
}

/// The name a TypeScript file binds Node's `path` module to
/// (`import * as path from "path"`, `import path from "node:path"`,
/// `import path = require("path")`).
fn node_path_name(p: &SourceFile) -> Option<String> {
    for import in &p.imports {
        let mut source = import.field("source");
        let mut cursor = import.walk();
        for child in import.named_children(&mut cursor) {
            let (name, from) = match child.kind_str() {
                "import_clause" => {
                    let mut c = child.walk();
                    let name = child
                        .named_children(&mut c)
                        .find_map(|n| match n.kind_str() {
                            "identifier" => Some(n),
                            "namespace_import" => n.named_child(0),
                            _ => None,
                        });
                    (name, source)
                }
                "import_require_clause" => {
                    source = child.field("source");
                    (
                        child
                            .named_child(0)
                            .filter(|n| n.kind_str() == "identifier"),
                        source,
                    )
                }
                _ => continue,
            };
            let module = from.map(|s| string_value(p.src, s));
            if let (Some(name), Some("path" | "node:path")) = (name, module) {
                return Some(p.text(name).to_string());
            }
        }
    }
    None
}

/// The import line to add for `module` bound to its own name (None when
/// the file has it); Err when the file binds that name to something else.
fn module_binding(
    p: &SourceFile,
    module: &str,
    sources: &[&str],
) -> Result<Option<String>, String> {
    let line = p.module_import(module, module);
    let has = p
        .imports
        .iter()
        .any(|i| p.text(*i).trim_end_matches(';') == line.trim_end_matches(';'));
    if has || (!p.lang.is_python() && node_path_name(p).as_deref() == Some(module)) {
        return Ok(None);
    }
    if p.is_declared(module) {
        return Err(format!(
            "`{module}` names something other than the `{}` module in the file",
            sources[0]
        ));
    }
    Ok(Some(line))
}

/// Ok when the program runs its TypeScript where it is written, so that
/// `__dirname` is the source folder: `cdk.json` runs it with ts-node or
/// tsx, or `tsconfig.json` compiles it in place (no `outDir`).
fn compiled_in_place(p: &SourceFile) -> Result<(), String> {
    let Some(facts) = p.ctx.facts.as_ref() else {
        return Ok(());
    };
    let read = |name: &str| std::fs::read_to_string(facts.root.join(name)).unwrap_or_default();
    let app = read("cdk.json");
    if app.contains("ts-node") || app.contains("tsx ") || app.contains("tsx\"") {
        return Ok(());
    }
    if read("tsconfig.json").contains("\"outDir\"") {
        return Err(
            "the program is compiled to another folder (`outDir` in tsconfig.json), where `__dirname` is not the source folder"
                .into(),
        );
    }
    Ok(())
}

/// Whether one of the file's imports names `name`.
fn imports_name(p: &SourceFile, name: &str) -> bool {
    p.imports.iter().any(|i| {
        p.text(*i)
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == name)
    })
}

/// The folder for the sources, and the file to create (None when an
/// identical file is already there). Never a folder holding other files.
fn choose_folder(
    p: &SourceFile,
    base: &str,
    file_name: &str,
    code: &str,
    taken: &[PathBuf],
) -> Result<(String, Option<NewFile>), String> {
    let dir = p.ctx.dir();
    // Files of one folder are fixed side by side: when another file there
    // may package code too, each file's sources get a folder named after
    // it, so which folder a file gets never depends on which is written
    // first.
    let candidates = match shares_folder(p) {
        Some(stem) => [
            format!("{SOURCE_DIR}_{stem}"),
            format!("{SOURCE_DIR}_{stem}_{base}"),
        ],
        None => [SOURCE_DIR.to_string(), format!("{SOURCE_DIR}_{base}")],
    };
    for folder in candidates.iter().cloned() {
        let rel = Path::new(&folder).join(file_name);
        if taken.iter().any(|t| t.starts_with(&folder)) {
            continue;
        }
        let Some(dir) = dir else {
            return Ok((
                folder,
                Some(NewFile {
                    path: rel,
                    contents: code.to_string(),
                }),
            ));
        };
        let abs = dir.join(&folder);
        if !abs.exists() {
            return Ok((
                folder,
                Some(NewFile {
                    path: rel,
                    contents: code.to_string(),
                }),
            ));
        }
        let entries: Vec<PathBuf> = std::fs::read_dir(&abs)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        let same = entries.len() == 1
            && entries[0] == abs.join(file_name)
            && std::fs::read_to_string(&entries[0]).is_ok_and(|t| t == code);
        if same {
            return Ok((folder, None));
        }
    }
    Err(format!(
        "`{}/` and `{}/` already hold other files",
        candidates[0], candidates[1]
    ))
}

/// Words in the program that may mean inline function code (the
/// `Mentions` fact `shares_folder` reads).
const INLINE_MARKERS: &[&str] = &[
    "fromInline",
    "from_inline",
    "InlineCode",
    "StringAsset",
    "source_code_hash",
    "sourceCodeHash",
];

/// This file's stem as a folder word (`api-stack.ts` gives `api_stack`)
/// when another file in its folder may package inline code too.
fn shares_folder(p: &SourceFile) -> Option<String> {
    let path = p.ctx.path.as_deref()?;
    let dir = path.parent()?;
    let facts = p.ctx.facts.as_deref()?;
    let other = INLINE_MARKERS.iter().any(|m| {
        facts.mentioned.get(m).is_some_and(|files| {
            files
                .iter()
                .any(|f| f.parent().is_some_and(|d| same_file(d, dir)) && !same_file(f, path))
        })
    });
    if !other {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    let word: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    Some(word)
}

/// The source folder as Pulumi resolves it: relative to the program folder
/// (where `pulumi up` runs).
fn program_relative(p: &SourceFile, folder: &str) -> String {
    let (Some(dir), Some(facts)) = (p.ctx.dir(), p.ctx.facts.as_ref()) else {
        return format!("./{folder}");
    };
    match dir.strip_prefix(&facts.root) {
        Ok(sub) if !sub.as_os_str().is_empty() => {
            format!("./{}/{folder}", sub.to_string_lossy().replace('\\', "/"))
        }
        _ => format!("./{folder}"),
    }
}

/// Calls that compute a value from text and nothing else: a variable
/// holding one of them is dead code once nothing reads it.
const PURE_CALLS: &[&str] = &[
    "dedent",
    "strip",
    "lstrip",
    "rstrip",
    "trim",
    "trimStart",
    "trimEnd",
    "encode",
    "decode",
    "b64encode",
    "standard_b64encode",
    "urlsafe_b64encode",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "createHash",
    "update",
    "digest",
    "hexdigest",
    "from",
    "toString",
    "format",
    "replace",
    "join",
    "str",
    "String",
    "StringAsset",
    "AssetArchive",
];

/// The declarations (`const code = `...``, `code = """..."""`) that the
/// code in `replaced` reads and that nothing outside `removed` reads any
/// more, followed through what they read in turn (a hash variable made
/// from a code variable). Only variables declared once, alone in their
/// statement, not exported, and holding text or values computed from text
/// alone (`PURE_CALLS`) are taken.
fn dead_declarations<'t>(
    p: &SourceFile<'t>,
    replaced: &[std::ops::Range<usize>],
    removed: &[std::ops::Range<usize>],
) -> Vec<Node<'t>> {
    let mut removed = removed.to_vec();
    let mut out: Vec<Node<'t>> = Vec::new();
    let mut names: Vec<Node<'t>> = replaced
        .iter()
        .flat_map(|r| identifiers_in(p, r.clone()))
        .collect();
    let mut candidates: Vec<(&'t str, Node<'t>, Node<'t>)> = Vec::new();
    loop {
        for id in names.drain(..) {
            if let Some(found) = declaration(p, id) {
                if !candidates.iter().any(|c| c.1 == found.1) {
                    candidates.push(found);
                }
            }
        }
        let mut changed = false;
        for &(name, statement, value) in &candidates {
            if out.contains(&statement) {
                continue;
            }
            let mut without = removed.clone();
            without.push(statement.byte_range());
            if !p.uses_outside(name, &without) {
                removed = without;
                out.push(statement);
                names.extend(identifiers_in(p, value.byte_range()));
                changed = true;
            }
        }
        if !changed && names.is_empty() {
            return out;
        }
    }
}

/// The identifiers (variables, not Python attribute or keyword names) in
/// a range of the text.
fn identifiers_in<'t>(p: &SourceFile<'t>, range: std::ops::Range<usize>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let Some(top) = p
        .tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end)
    else {
        return out;
    };
    let mut stack = vec![top];
    while let Some(n) = stack.pop() {
        if !(n.start_byte() < range.end && range.start < n.end_byte()) {
            continue;
        }
        if matches!(n.kind_str(), "identifier" | "shorthand_property_identifier")
            && range.contains(&n.start_byte())
        {
            out.push(n);
        }
        let not_a_name = match n.kind_str() {
            "attribute" => n.field("attribute"),
            "keyword_argument" => n.field("name"),
            _ => None,
        };
        let mut cursor = n.walk();
        stack.extend(
            n.named_children(&mut cursor)
                .filter(|c| Some(*c) != not_a_name),
        );
    }
    out
}

/// The declaration an identifier reads, when it can be removed whole:
/// its name, its statement and its value.
fn declaration<'t>(p: &SourceFile<'t>, id: Node<'t>) -> Option<(&'t str, Node<'t>, Node<'t>)> {
    let name = p.text(id);
    // declared once where it is read, with a value
    p.resolve(id)?;
    let value = p.declared_before(name, id.start_byte())??;
    let holder = p.parent(value)?;
    match holder.kind_str() {
        "variable_declarator" => {
            if holder.field("name").map(|n| p.text(n)) != Some(name) {
                return None;
            }
            let declaration = p.parent(holder)?;
            let mut cursor = declaration.walk();
            let declarators = declaration
                .named_children(&mut cursor)
                .filter(|c| c.kind_str() == "variable_declarator")
                .count();
            if declarators != 1 {
                return None;
            }
        }
        "assignment" => {
            let left = holder.field("left")?;
            if left.kind_str() != "identifier" || p.text(left) != name {
                return None;
            }
        }
        _ => return None,
    }
    let statement = p.statement_of(value)?;
    if statement.kind_str() == "export_statement" || !computed_from_text(p, value) {
        return None;
    }
    Some((name, statement, value))
}

/// Whether an expression calls nothing but `PURE_CALLS`.
fn computed_from_text(p: &SourceFile, value: Node) -> bool {
    let mut stack = vec![value];
    while let Some(n) = stack.pop() {
        let callee = match n.kind_str() {
            "call" | "call_expression" => n.field("function"),
            "new_expression" => n.field("constructor"),
            "arrow_function" | "function_expression" | "lambda" | "await_expression" => {
                return false
            }
            _ => None,
        };
        if let Some(callee) = callee {
            let last = match callee.kind_str() {
                "member_expression" => callee.field("property"),
                "attribute" => callee.field("attribute"),
                _ => Some(callee),
            };
            if !last.is_some_and(|l| PURE_CALLS.contains(&p.text(l))) {
                return false;
            }
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Mode, Options};
    use crate::lang::Lang;
    use crate::rules::Selection;

    #[test]
    fn a_program_using_the_archive_provider_gets_a_data_archive_file() {
        let src = r#"from constructs import Construct
from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from cdktf_cdktf_provider_archive.data_archive_file import DataArchiveFile

CODE = '''
def handler(event, context):
    return 1
'''


class Stack(TerraformStack):
    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        LambdaFunction(
            self,
            "fn",
            role="arn:aws:iam::1:role/r",
            runtime="python3.13",
            handler="main.handler",
            filename="fn.zip",
            source_code_hash=hashlib.sha256(CODE.encode()).hexdigest(),
        )
"#;
        let selection = Selection::new(crate::fixers::ALL, &["LAM001".into()], &[]).unwrap();
        let options = Options {
            mode: Mode::Fix,
            unsafe_fixes: true,
        };
        let out = engine::run(src, Lang::Python, &selection, options).unwrap();
        let fixed = out.fixed.expect("a fix");
        assert!(fixed.contains("fn_zip = DataArchiveFile(\n"), "{fixed}");
        assert!(fixed.contains("    type=\"zip\",\n"), "{fixed}");
        assert!(fixed.contains("filename=fn_zip.output_path,"), "{fixed}");
        assert!(
            fixed.contains("source_code_hash=fn_zip.output_base64_sha256,"),
            "{fixed}"
        );
        assert!(!fixed.contains("TerraformAsset"), "{fixed}");
        assert!(!fixed.contains("CODE ="), "{fixed}");
        assert_eq!(out.new_files.len(), 1);
        assert_eq!(out.new_files[0].path, Path::new("lambda_src/main.py"));
        assert_eq!(
            out.new_files[0].contents,
            "def handler(event, context):\n    return 1\n"
        );
    }

    #[test]
    fn functions_a_module_defines() {
        let py = "import json\n\ndef lambda_handler(event, context):\n    return 1\n\ndef helper():\n    pass\n";
        assert_eq!(
            defined_functions(py, true),
            vec!["lambda_handler", "helper"]
        );
        let js = "exports.handler = async (event) => ({ statusCode: 200 });\n";
        assert_eq!(defined_functions(js, false), vec!["handler"]);
        let esm = "export const main = async () => 1;\n";
        assert_eq!(defined_functions(esm, false), vec!["main"]);
    }

    #[test]
    fn code_strings_are_decoded_and_dedented() {
        assert_eq!(unescape(r#"a\nb\t\"c\""#).as_deref(), Some("a\nb\t\"c\""));
        assert_eq!(unescape(r"\x41"), None);
        assert_eq!(dedent("    a\n      b\n\n    c"), "a\n  b\n\nc");
    }
}
