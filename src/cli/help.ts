// --help texts. Flags common to every command are listed once, at the end.

const GLOBAL = `Global flags:
  -n, --namespace=NS      namespace (default: the kubeconfig context's, else "default")
      --kubeconfig=PATH   kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
      --context=NAME      kubeconfig context
  -h, --help              show help`;

export const MAIN_HELP = `kubectl imagestream: OpenShift's image stream commands for image.openshift.io/v1 on any cluster.

Usage:
  kubectl imagestream COMMAND [flags]

Commands:
  tag            Set spec tags of image streams from images or other tags (oc tag)
  import-image   Import tags now and wait for the result (oc import-image)
  describe       Show an image stream (oc describe is), a tag's or an image's metadata (istag, isimage)
  get            Print image stream tags and images: istag, isimage (-o json|yaml|name|wide|jsonpath=...)
  history        List the images a tag pointed at, newest first, numbered for rollback
  rollback       Point a tag at an earlier image of its history; --undo follows its source again
  why            Explain why a workload with image triggers did or did not roll
  set            set triggers: which workloads follow which tags (oc set triggers);
                 set image-lookup: how pods resolve images (oc set image-lookup)

Run 'kubectl imagestream COMMAND --help' for a command's flags.

${GLOBAL}`;

export const TAG_HELP = `Set a tag of one or more image streams to an image, or delete tags.

Usage:
  kubectl imagestream tag [--source=KIND] SOURCE [NS/]STREAM:TAG... [flags]
  kubectl imagestream tag -d [NS/]STREAM:TAG...

SOURCE is a container image (a pull spec with a registry host, e.g.
quay.io/org/app:1.2), a tag of a stream ([NS/]STREAM:TAG) or an image of a stream
([NS/]STREAM@sha256:...). A tag of a stream is copied: the destination gets the
tag's current image, unless --alias makes it follow the tag. A container image is
imported by the operator; the destination stream is created if missing. Into
another namespace, the source stream must share with it (annotation
imagestream-operator.io/allowed-namespaces), or nothing is written.

Examples:
  # Import quay.io/org/app:1.2 into app:1.2 (insecure: a plain-HTTP registry)
  kubectl imagestream tag quay.io/org/app:1.2 app:1.2
  # Re-import it every 15 minutes
  kubectl imagestream tag quay.io/org/app:1.2 app:1.2 --scheduled
  # Point latest at the image app:1.2 has now, or make it follow app:1.2
  kubectl imagestream tag app:1.2 app:latest
  kubectl imagestream tag app:1.2 app:latest --alias
  # Docker Hub images need --source=docker (app:1.2 alone names a stream tag)
  kubectl imagestream tag --source=docker nginx:1.27 web:1.27
  # Delete a tag
  kubectl imagestream tag -d app:1.2

Flags:
      --source=KIND               docker, istag or isimage (default: detected from SOURCE)
      --alias                     follow the source tag instead of copying its image (same stream only)
      --reference                 record the pull spec without importing it
      --scheduled                 re-import the image periodically
      --insecure                  allow plain HTTP or unverified HTTPS for the import
      --reference-policy=POLICY   source or local (default: keep the tag's, source for a new tag)
      --import-mode=MODE          Legacy or PreserveOriginal (default: keep the tag's)
  -d, --delete                    delete the given tags

${GLOBAL}`;

export const IMPORT_HELP = `Import a tag (or every tag) of an image stream now and wait for the result.

Usage:
  kubectl imagestream import-image STREAM[:TAG] [--from=IMAGE] [--confirm] [flags]
  kubectl imagestream import-image STREAM --all [--from=REPOSITORY] [--confirm]

Asks the operator to re-import by setting the spec tag's generation to 0, then
waits until the operator recorded the outcome and prints the imported image (and
the platforms of a manifest list kept whole), or the failure. Exits non-zero when
any tag failed or the wait timed out. Settings of the tag that no flag names
(scheduling, insecure...) are left as they are, except the import mode: it
defaults to Legacy, as oc's does, so a PreserveOriginal tag re-imported without
--import-mode=PreserveOriginal goes back to one platform (the command says so).
A reference tag (--reference) is never imported: the command says so.

Examples:
  # Create the stream app with tag latest from an image, and import it
  kubectl imagestream import-image app --from=quay.io/org/app:latest --confirm
  # Re-import app:latest, app:stable
  kubectl imagestream import-image app
  kubectl imagestream import-image app:stable
  # Re-import every tag of app that names a container image
  kubectl imagestream import-image app --all
  # Import every tag of a repository into a new stream
  kubectl imagestream import-image app --from=quay.io/org/app --all --confirm

Flags:
      --from=IMAGE                the image (or, with --all, repository) to import from
      --confirm                   allow creating the stream or tag, or changing its source
      --all                       all tags: the stream's repository, or every image tag
      --scheduled                 set the tag to be re-imported periodically (--scheduled=false unsets)
      --insecure                  allow plain HTTP or unverified HTTPS (--insecure=false unsets)
      --reference-policy=POLICY   source or local
      --import-mode=MODE          Legacy (default) or PreserveOriginal
      --timeout=DURATION          how long to wait for the operator (default 60s)

${GLOBAL}`;

export const DESCRIBE_HELP = `Show an image stream: metadata, then each tag's source, pending import, last
import error and history (newest first, * marks the current image). Or show the
image of a tag (istag) or of a stream (isimage) as oc describe does: size,
creation, architecture, the platforms of a manifest list, entrypoint, command,
user, ports, labels and environment.

Usage:
  kubectl imagestream describe STREAM...
  kubectl imagestream describe is/STREAM
  kubectl imagestream describe istag STREAM:TAG...     (also istag/STREAM:TAG)
  kubectl imagestream describe isimage STREAM@DIGEST...  (also isimage/STREAM@DIGEST)

The image metadata comes from the image views API (image.imagestream-operator.io);
when that is not served, from the stream and the Image objects you may read, with
a warning on stderr.

Examples:
  kubectl imagestream describe is/python
  kubectl imagestream describe istag/python:latest
  kubectl imagestream describe isimage python@sha256:49c1

${GLOBAL}`;

export const GET_HELP = `Print image stream tags (istag) or images (isimage): the objects of the image
views API (image.imagestream-operator.io/v1), as kubectl get prints them. When
that API is not served, the same objects are built from the stream and the Image
objects you may read, and a warning on stderr says so.

Usage:
  kubectl imagestream get istag [STREAM:TAG...] [-o FORMAT]
  kubectl imagestream get isimage STREAM@DIGEST... [-o FORMAT]

Examples:
  kubectl imagestream get istag
  kubectl imagestream get istag busybox:latest -o jsonpath="{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}"
  kubectl imagestream get isimage busybox@sha256:3f1b -o yaml

Flags:
  -o, --output=FORMAT   json, yaml, name, wide, or jsonpath=TEMPLATE (kubectl's template syntax)

${GLOBAL}`;

export const HISTORY_HELP = `List the images a tag pointed at, newest first: revision number (the oldest kept
item is 1), age, digest and pull spec; * marks the image the tag points at now.
Says what the tag follows, or that a rollback pinned it.

Usage:
  kubectl imagestream history [NS/]STREAM:TAG

Revision numbers are positions in the history the stream keeps now: when the
operator trims the oldest items (--max-tag-history), they shift. Scripts should
roll back by digest.

Examples:
  kubectl imagestream history app:latest

${GLOBAL}`;

export const ROLLBACK_HELP = `Point a tag at an earlier image of its history, without pushing anything.

The tag is pinned to that image (from: ImageStreamImage STREAM@DIGEST, as
oc tag STREAM@DIGEST STREAM:TAG writes it): scheduled imports, push
notifications and re-import requests no longer move it, and workloads that
follow it through image triggers roll to it. Unlike oc tag, what the tag
followed (its source, schedule and import settings) is remembered on the stream,
and --undo restores it; the operator then imports the source again.
Waits until the operator recorded the change.

Usage:
  kubectl imagestream rollback [NS/]STREAM:TAG [--to-revision=N | --to=DIGEST]
  kubectl imagestream rollback --undo [NS/]STREAM:TAG

Without --to-revision or --to, the tag goes back to the newest earlier image
that differs from the current one.

Examples:
  kubectl imagestream history app:latest
  kubectl imagestream rollback app:latest                 # the previous image
  kubectl imagestream rollback app:latest --to-revision=2
  kubectl imagestream rollback app:latest --to=sha256:91ab
  kubectl imagestream rollback --undo app:latest          # follow the source again

Flags:
      --to-revision=N      the revision to go back to (see history)
      --to=DIGEST          the image to go back to: a digest of the tag's history, or a unique prefix
      --undo               restore the source, schedule and import settings the tag had before its rollback
      --timeout=DURATION   how long to wait for the operator (default 60s)

${GLOBAL}`;

export const WHY_HELP = `Explain what the operator's image triggers do with a workload: for each
trigger, whether it rolls the container, or why not (paused, tag without image,
already up to date, changed by hand, not shared across namespaces, held by the
rollout policy until a given time, rolled back after a failed rollout, refused
as not pullable or not for the nodes' platforms), with the followed tag's
import state and the rollout the operator follows. Computed from what you can
read now, with the same rules the operator uses.

Usage:
  kubectl imagestream why KIND/NAME
  kubectl imagestream why KIND NAME

KIND is deployment, statefulset, daemonset or cronjob.

Examples:
  kubectl imagestream why deployment/web

${GLOBAL}`;

export const SET_HELP = `Change settings of image streams and of the objects that use them.

Usage:
  kubectl imagestream set triggers KIND/NAME [flags]
  kubectl imagestream set image-lookup [STREAM | KIND/NAME]... [flags]

Commands:
  triggers       Make a workload follow image stream tags (oc set triggers)
  image-lookup   Resolve short image names (app:v1) from image streams (oc set image-lookup)

${GLOBAL}`;

export const IMAGE_LOOKUP_HELP = `Make pods in the namespace use an image stream's images by short name.

With local lookup on a stream (spec.lookupPolicy.local), a Pod, or the pod
template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob, in
the same namespace whose image is the stream's name (app, app:v1, app@sha256:...)
is stored with the tag's current image instead (the operator's admission webhook
rewrites it when the object is created or its image changes). Without a tag,
latest is meant.

On an object (KIND/NAME), the alpha.image.policy.openshift.io/resolve-names
annotation is set on its pod template (a Pod's own metadata): every image of
that object is resolved against the namespace's streams, whether or not they
have local lookup, and also when it names a registry (quay.io/org/app:v1 uses
stream app). Setting it changes the template, so a Deployment rolls.

Usage:
  kubectl imagestream set image-lookup
  kubectl imagestream set image-lookup STREAM... [--enabled=false]
  kubectl imagestream set image-lookup KIND/NAME... [--enabled=false]
  kubectl imagestream set image-lookup [STREAM | KIND/NAME]... --list

KIND is pod, deployment, statefulset, daemonset, replicaset, job or cronjob.

Examples:
  # Show the image streams of the namespace and whether they resolve local names
  kubectl imagestream set image-lookup
  # Resolve app:TAG from stream app in pods of this namespace
  kubectl imagestream set image-lookup app
  # Stop doing so
  kubectl imagestream set image-lookup app --enabled=false
  # Resolve every image of deployment web from this namespace's streams
  kubectl imagestream set image-lookup deployment/web

Flags:
      --enabled   turn image lookup on (default), or off with --enabled=false
      --list      print whether the named streams and objects resolve names
      --all       every image stream of the namespace

${GLOBAL}`;

export const TRIGGERS_HELP = `Show or change the image triggers of a workload: the tags of image streams
whose new images the operator writes into its containers (annotation
image.openshift.io/triggers, OpenShift's format).

Usage:
  kubectl imagestream set triggers KIND/NAME
  kubectl imagestream set triggers KIND/NAME --from-image=[NS/]STREAM:TAG [-c CONTAINER,...] [--manual]
  kubectl imagestream set triggers KIND/NAME --from-image=[NS/]STREAM:TAG --remove
  kubectl imagestream set triggers KIND/NAME --auto|--manual
  kubectl imagestream set triggers KIND/NAME --remove-all

KIND is deployment, statefulset, daemonset or cronjob. With no flag, prints the
triggers (NAME, TYPE, VALUE, AUTO): the "config" row is whether a Deployment
rolls out at all (not paused), each "image" row a followed tag and its
containers. --auto or --manual alone turns every trigger on or off, and
resumes or pauses a Deployment, as oc does. A trigger on a stream of another
namespace needs that stream to share with this one (annotation
imagestream-operator.io/allowed-namespaces): the command warns when it does not.

Examples:
  # Roll the web container of deployment web when app:v1 moves
  kubectl imagestream set triggers deployment/web --from-image=app:v1 -c web
  # Show the triggers
  kubectl imagestream set triggers deployment/web
  # Keep the trigger, but stop acting on it (and pause the Deployment)
  kubectl imagestream set triggers deployment/web --manual
  # Remove the trigger on app:v1, or every trigger
  kubectl imagestream set triggers deployment/web --from-image=app:v1 --remove
  kubectl imagestream set triggers deployment/web --remove-all

Flags:
      --from-image=[NS/]STREAM:TAG   the image stream tag to follow
  -c, --containers=NAME,...          containers (or init containers) it sets (default: the only container)
      --auto                         act on the trigger (default), or on every trigger when alone
      --manual                       keep the trigger but do not act on it (paused), or every trigger when alone
      --remove                       remove the trigger on --from-image
      --remove-all                   remove every image trigger

${GLOBAL}`;
