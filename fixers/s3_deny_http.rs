//! ## What it does
//! Finds S3 buckets whose policy does not refuse requests made over plain
//! HTTP: no bucket policy refers to them, or the one that does has no
//! statement on `aws:SecureTransport` that iacfix can see. For a bucket with no policy it adds one right
//! after the bucket, denying every action on the bucket and its objects
//! when `aws:SecureTransport` is `false`.
//!
//! A bucket that already has a policy in this file is reported without a
//! fix: a bucket has one policy, and a second would replace the first, so
//! the statement belongs in the policy the program writes; and so is a
//! bucket that a policy in another file of the program may name (iacfix
//! does not read it there). So is a bucket
//! that serves a static website (its website endpoint answers only plain
//! HTTP), and one created inside an expression or once per item of a CDKTF
//! `forEach` or `count`. A policy iacfix cannot read (a parameter, a
//! helper's result) is reported without a fix, saying so.
//!
//! In an AWS CDK program, an `s3.Bucket` without `enforceSSL: true`
//! (`enforce_ssl=True`; the default is false) is reported, and the fix
//! sets it: the construct then writes the deny statement into the
//! bucket's policy, merged with the statements the program adds.
//!
//! ## Why is this bad?
//! S3 answers HTTP as well as HTTPS. A client configured with an `http://`
//! endpoint, or a proxy that downgrades, sends credentials' signatures,
//! object data and object names in the clear, where anyone on the path
//! can read or alter them. Only a bucket policy can make S3 refuse such
//! requests.
//!
//! ## Example
//! ```typescript
//! const logs = new aws.s3.Bucket("logs", {});
//! ```
//!
//! Use instead:
//! ```typescript
//! const logs = new aws.s3.Bucket("logs", {});
//!
//! new aws.s3.BucketPolicy("logs-tls", {
//!     bucket: logs.id,
//!     policy: logs.arn.apply(arn => JSON.stringify({
//!         Version: "2012-10-17",
//!         Statement: [{
//!             Sid: "DenyInsecureTransport",
//!             Effect: "Deny",
//!             Principal: "*",
//!             Action: "s3:*",
//!             Resource: [arn, `${arn}/*`],
//!             Condition: { Bool: { "aws:SecureTransport": "false" } },
//!         }],
//!     })),
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: clients that call S3 over plain HTTP (an endpoint configured as
//! `http://`, an old script, a device without TLS) are refused from then
//! on instead of served. AWS's SDKs and CLI use HTTPS unless told not to.
//! The policy also becomes the bucket's one policy: statements added
//! later go into it.
//! An AWS CDK bucket that CloudFront serves as an S3 origin gets no fix
//! while the distribution lets viewers use plain HTTP (CloudFront reaches
//! an S3 origin with the viewer's protocol).
//!
//! ## Satisfies
//! cdk-nag AwsSolutions-S10; KICS "S3 Bucket Policy Accepts HTTP
//! Requests".

use crate::edit::{Applicability, NewValue};
use crate::facts::Fact;
use crate::model::{Flavor, Lookup, Resource, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};

use super::awscdk;
use super::program_block::{deny_insecure_transport, document, encode_with};
use super::s3_companion::{self, Spec, Verdict};

pub struct S3DenyHttp;

pub static META: Meta = Meta {
    code: "S3004",
    name: "s3-deny-http",
    summary: "S3 buckets must refuse requests over plain HTTP",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["cdk-nag AwsSolutions-S10"],
    runs_after: &[],
    source: include_str!("s3_deny_http.rs"),
};

/// A policy of the one statement, for the bucket named by `bucket`.
fn props(_: &SourceFile, flavor: Flavor, bucket: &str) -> Vec<(String, NewValue)> {
    vec![(
        "policy".to_string(),
        encode_with(flavor.framework(), &format!("{bucket}.arn"), |arn| {
            document(vec![deny_insecure_transport(arn)])
        }),
    )]
}

pub static SPEC: Spec = Spec {
    meta: &META,
    companion: "aws_s3_bucket_policy",
    inline: &["policy"],
    suffix: "tls",
    missing: "policy refusing requests over plain HTTP",
    description: |_| DESCRIPTION.into(),
    props,
    counts: refuses_plain_http,
    elsewhere_counts: false,
    judge,
};

const DESCRIPTION: &str =
    "Add a bucket policy that refuses requests over plain HTTP (clients using HTTP are refused)";

/// Whether the policy of `r` (a bucket's inline `policy`, or a bucket
/// policy) visibly refuses plain HTTP: a statement on
/// `aws:SecureTransport` in it, in what a name in it is bound to, or in a
/// policy document of the file it names.
fn refuses_plain_http(p: &SourceFile, r: &Resource) -> bool {
    policy_text(p, r).is_some_and(|t| t.contains("aws:SecureTransport"))
}

/// The text of `r`'s policy and of what it names in the file; None when
/// it has none, or is set by something iacfix cannot see.
fn policy_text(p: &SourceFile, r: &Resource) -> Option<String> {
    let obj = p.props(r);
    let Lookup::Present(v) = p.get(&obj, "policy") else {
        return None;
    };
    let mut texts = vec![p.text(v.node).to_string()];
    if let Some(bound) = p.resolve(v.node).filter(|n| *n != v.node) {
        texts.push(p.text(bound).to_string());
    }
    for doc in p
        .resources
        .iter()
        .filter(|d| d.tf_type == "data.aws_iam_policy_document" && p.refers_to(v.node, d))
    {
        texts.push(p.text(doc.call).to_string());
    }
    Some(texts.concat())
}

/// Why the policy `what` of `r` gets no statement from iacfix.
fn missing_statement(p: &SourceFile, r: &Resource, what: &str) -> String {
    match policy_text(p, r) {
        Some(text) if text.contains("Statement") || text.contains("statement") => {
            format!("{what} has no statement on `aws:SecureTransport`: add one to it")
        }
        _ => format!(
            "iacfix cannot read the statements of {what}: make sure it denies requests whose `aws:SecureTransport` is false"
        ),
    }
}

/// No fix for a website (its endpoint speaks plain HTTP only) or a bucket
/// with a policy of its own (one policy per bucket).
fn judge(p: &SourceFile, bucket: &Resource) -> Verdict {
    let obj = p.props(bucket);
    let website = ["website", "websites"]
        .iter()
        .any(|a| matches!(p.get(&obj, a), Lookup::Present(_)))
        || !s3_companion::companions_of(p, bucket, &["aws_s3_bucket_website_configuration"])
            .is_empty()
        || p.ctx
            .referred_elsewhere(
                "aws_s3_bucket_website_configuration",
                &s3_companion::targets(p, bucket),
            )
            .is_some();
    if website {
        return Verdict::NoFix(
            "the bucket serves a static website, whose endpoint answers only plain HTTP (serve it through CloudFront over HTTPS first)".into(),
        );
    }
    match p.get(&obj, "policy") {
        Lookup::Absent => {}
        Lookup::Unknown(why) => {
            return Verdict::NoFix(format!(
                "cannot tell whether the bucket has a policy of its own: {why}"
            ))
        }
        Lookup::Present(_) => {
            return Verdict::NoFix(missing_statement(p, bucket, "the bucket's own `policy`"))
        }
    }
    if let Some(r) = p
        .ctx
        .referred_elsewhere("aws_s3_bucket_policy", &s3_companion::targets(p, bucket))
    {
        return Verdict::NoFix(format!(
            "a bucket policy in another file of the program (`{}`) may be its; iacfix does not read it there: make sure it denies requests whose `aws:SecureTransport` is false",
            p.ctx.program_path(&r.file)
        ));
    }
    if let Some(policy) = s3_companion::companions_of(p, bucket, &["aws_s3_bucket_policy"]).first()
    {
        let what = format!("its bucket policy `{}`", p.resource_name(policy));
        return Verdict::NoFix(format!(
            "{} (a bucket has one policy; a second would replace it)",
            missing_statement(p, policy, &what)
        ));
    }
    Verdict::Unsafe {
        props: None,
        description: DESCRIPTION.into(),
    }
}

impl Rule for S3DenyHttp {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Refers {
                tf_type: "aws_s3_bucket_policy",
                attr: "bucket",
                markers: &["BucketPolicy"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_website_configuration",
                attr: "bucket",
                markers: &["Website"],
            },
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        s3_companion::check(&SPEC, p, out);
        cdk_buckets(p, out);
    }
}

/// AWS CDK buckets: `enforceSSL` (default false) makes the construct write
/// the deny statement into the bucket's policy, merged with any other.
/// Why CloudFront would fetch from a CDK bucket over plain HTTP: it is an
/// S3 origin of a distribution of the file (CloudFront reaches an S3
/// origin with the protocol the viewer used), and the file does not send
/// every viewer to HTTPS (`ViewerProtocolPolicy.REDIRECT_TO_HTTPS` or
/// `HTTPS_ONLY`, and no `ALLOW_ALL`, which is the default).
fn cdk_plain_http_viewers(p: &SourceFile, res: &crate::model::Resource) -> Option<String> {
    let name = match &res.binding {
        crate::model::Binding::Variable(n) | crate::model::Binding::Attribute(n) => n.as_str(),
        crate::model::Binding::Unbound => return None,
    };
    let origin = p.calls.iter().map(|c| p.text(*c)).find(|text| {
        let head = text.split('(').next().unwrap_or("");
        ["S3Origin", "S3BucketOrigin", "S3StaticWebsiteOrigin"]
            .iter()
            .any(|o| head.contains(o))
            && text.contains(name)
    });
    let origin = origin.or_else(|| {
        ["s3BucketSource", "s3_bucket_source"]
            .iter()
            .any(|k| {
                p.src.contains(&format!("{k}: {name}")) || p.src.contains(&format!("{k}={name}"))
            })
            .then_some("s3BucketSource")
    })?;
    let https = ["REDIRECT_TO_HTTPS", "HTTPS_ONLY"]
        .iter()
        .any(|m| p.src.contains(m));
    if https && !p.src.contains("ALLOW_ALL") {
        return None;
    }
    let origin = origin.lines().next().unwrap_or(origin).trim();
    Some(format!(
        "CloudFront reaches the bucket (`{origin}`) with the protocol of its viewers, and the distribution lets them use plain HTTP (the default `ViewerProtocolPolicy.ALLOW_ALL`): those requests would be refused; redirect viewers to HTTPS first"
    ))
}

fn cdk_buckets(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::BUCKET) {
        let key = p.source_key(&p.props(res), "enforce_ssl");
        let Some(value) = awscdk::must_be_true(p, res, "enforce_ssl", &key) else {
            continue;
        };
        let website = !matches!(
            awscdk::prop(p, res, "website_index_document"),
            awscdk::Prop::Default
        );
        let value = value.and_then(|v| {
            if website {
                Err(
                    "the bucket serves a static website, whose endpoint answers only plain HTTP"
                        .to_string(),
                )
            } else if let Some(why) = cdk_plain_http_viewers(p, res) {
                Err(why)
            } else {
                Ok(v)
            }
        });
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "enforce_ssl",
            value,
            Applicability::Unsafe,
            format!("The bucket accepts requests over plain HTTP: `{key}` is not true"),
            format!("Refuse requests over plain HTTP (`{key}`)"),
        ));
    }
}
