// The scripts the maintenance stack runs in the `maintenance` image (busybox and Docker's CLI,
// scripts/images/assemble): a scheduled prune on every node, and the registry's garbage
// collection on the manager, which makes the registry read-only while it runs. Pure; the
// scripts are tested by running them (test/unit/maintenanceScripts.test.ts, test/e2e).

/** Seconds between prunes; the first runs one interval after the start, never during a deploy. */
export const PRUNE_INTERVAL_SECONDS = 3600;

/** The environment variable distribution reads `storage.maintenance.readonly` from. */
export const READ_ONLY_ENV = "REGISTRY_STORAGE_MAINTENANCE_READONLY";

/**
 * Prunes this node's engine: images no container uses (`docker image prune --all`, by the
 * image's creation time, which is what the engine's `until` filter reads), except the images
 * setup assembled (created "1970" for reproducibility, so older than any window, and not to be
 * pulled again: a deploy waiting for one would fail), and anonymous volumes
 * no container uses, created before the window. Named volumes are data and are never pruned
 * (Docker 23 and later prune only anonymous volumes too). With PRUNE_ONCE set it prunes once,
 * at once, and exits (tests; an operator's manual run).
 */
export function renderPruneScript(): string {
    return `#!/bin/sh
# slipway prune: unused images and anonymous volumes older than PRUNE_HOURS hours.
set -u
hours=\${PRUNE_HOURS:?PRUNE_HOURS is not set}
interval=\${PRUNE_INTERVAL_SECONDS:-${PRUNE_INTERVAL_SECONDS}}

# epoch TIME: seconds since 1970 of an RFC 3339 time as Docker prints a volume's (Z or
# +hh:mm, no fraction); anything else fails, and the volume is kept.
epoch() {
    rest=\${1:19}
    seconds=$(date -u -D '%Y-%m-%dT%H:%M:%S' -d "\${1:0:19}" +%s 2>/dev/null) || return 1
    case "$rest" in
        Z) offset=0 ;;
        [+-][0-9][0-9]:[0-9][0-9])
            h=\${rest:1:2}; m=\${rest:4:2}
            offset=$(( (\${h#0} * 60 + \${m#0}) * 60 ))
            [ "\${rest:0:1}" = "-" ] && offset=$(( -offset )) ;;
        *) return 1 ;;
    esac
    echo $(( seconds - offset ))
}

prune() {
    echo "prune: images no container uses, created more than \${hours}h ago"
    # Images Slipway assembled (labelled dev.slipway.image) are kept: no registry could give them back.
    docker image prune --all --force --filter "until=\${hours}h" --filter "label!=dev.slipway.image" | tail -n 1
    cutoff=$(( $(date +%s) - hours * 3600 ))
    for volume in $(docker volume ls --quiet --filter dangling=true); do
        # Anonymous volumes only: a 64-hex name the engine chose. Named ones hold data.
        echo "$volume" | grep -qE '^[0-9a-f]{64}$' || continue
        created=$(docker volume inspect --format '{{.CreatedAt}}' "$volume") || continue
        at=$(epoch "$created") || { echo "prune: volume $volume: unreadable creation time $created, kept"; continue; }
        [ "$at" -lt "$cutoff" ] || continue
        docker volume rm "$volume" >/dev/null && echo "prune: removed anonymous volume $volume (created $created)"
    done
}

if [ -n "\${PRUNE_ONCE:-}" ]; then prune; exit; fi
while :; do
    sleep "$interval"
    prune || echo "prune: failed; next try in \${interval}s"
done
`;
}

/**
 * Garbage collection of the registry's blobs, run by crond on the manager. distribution needs
 * the registry read-only (or stopped) while it collects, so no push interleaves: the service
 * is updated with the read-only setting (pushes are refused, pulls go on), the collector runs
 * inside the read-only task, and the setting is removed whatever happened. Untagged manifests
 * are not deleted (retention decides what goes): only blobs no manifest references.
 */
export function renderGcScript(registryService: string): string {
    return `#!/bin/sh
# slipway registry-gc: distribution's garbage-collect, with ${registryService} read-only meanwhile.
set -eu
service=${registryService}
log() { echo "registry-gc: $*"; }
writable() {
    docker service update --quiet --detach=false --env-rm ${READ_ONLY_ENV} "$service" >/dev/null && log "$service is writable again" || log "$service could not be made writable again: docker service update --env-rm ${READ_ONLY_ENV} $service"
}
log "making $service read-only"
touch ${GC_RUNNING}
trap 'writable; rm -f ${GC_RUNNING}' EXIT
docker service update --quiet --detach=false --env-add '${READ_ONLY_ENV}={"enabled":true}' "$service" >/dev/null
# The read-only task: the collector runs in it, with its configuration and storage.
task=""
for id in $(docker ps --quiet --filter "label=com.docker.swarm.service.name=$service"); do
    docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$id" | grep -q '^${READ_ONLY_ENV}=' && task=$id && break
done
[ -n "$task" ] || { log "no read-only task of $service runs on this node: nothing collected"; exit 1; }
config=$(docker inspect --format '{{index .Args 1}}' "$task")
log "collecting in $task"
if out=$(docker exec "$task" registry garbage-collect "$config" 2>&1); then
    # distribution's summary: "N blobs marked, M blobs and K manifests eligible for deletion".
    log "$(echo "$out" | grep -o '[0-9]* blobs marked.*' | tail -n 1)"
else
    echo "$out" | tail -n 5
    log "garbage-collect failed: nothing more was deleted"
    exit 1
fi
`;
}

/** Present while a collection runs: a stopping service waits for it to finish. */
export const GC_RUNNING = "/tmp/registry-gc.running";

/**
 * The collector service's main process: crond, and on SIGTERM (the stack removed, the service
 * updated) the wait for a running collection to finish, so the registry is never left
 * read-only by a killed script. (An init forwards the signal to this shell only; crond's
 * jobs would otherwise die with the container.)
 */
export function renderGcRunner(): string {
    return `#!/bin/sh
crond -f -L /dev/stderr -c /etc/crontabs &
crond=$!
stop() {
    kill "$crond" 2>/dev/null
    while [ -e ${GC_RUNNING} ]; do sleep 1; done
    exit 0
}
trap stop TERM INT
wait "$crond"
`;
}

/** busybox crond's table: the collector at `schedule` (UTC), its output in the service's log. */
export function renderGcCrontab(schedule: string, scriptPath: string): string {
    return `${schedule} sh ${scriptPath} >/proc/1/fd/1 2>&1\n`;
}
