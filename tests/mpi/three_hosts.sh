#!/usr/bin/env bash
# Three hosts on one machine: three network namespaces, each with its own
# address (10.199.0.1-3) and host name (h1-h3), joined by a bridge that lives
# in a fourth namespace. mpirun runs on h1 and starts its daemons on h2 and h3
# through an "rsh agent" that enters the host's namespace (standing in for
# ssh); ranks talk TCP over the bridge only. Nothing is added to this
# machine's own network: every address, link and socket is inside the private
# namespaces, which are removed on exit, on failure too. Names carry this
# script's PID, so parallel runs do not collide.
#
# Usage: three_hosts.sh CASE BTOPT PLUGIN_DIR
# Runs across_hosts.py CASE with the hosts up (see there for the cases).
# Exits 77 (skipped) when network namespaces cannot be made here.
set -euo pipefail
case=$1 btopt=$2 plugin_dir=$3
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "making network namespaces needs root (ip netns); run the suite as root to test MPI across hosts"
command -v ip > /dev/null && command -v unshare > /dev/null || skip "needs ip (iproute2) and unshare (util-linux)"
prefix=btopt$$
work=$(mktemp -d)
hosts=(h1 h2 h3)

cleanup() {
    # A namespace lives on while a process is in it: end ours first, by PID.
    for ns in "${hosts[@]/#/$prefix-}" "$prefix-sw"; do
        if ip netns list | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns" 2> /dev/null); do kill -9 "$pid" 2> /dev/null || true; done
            ip netns del "$ns" 2> /dev/null || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$prefix-sw" 2> /dev/null || skip "cannot create a network namespace here (no CAP_SYS_ADMIN?)"
ip -n "$prefix-sw" link set lo up
ip -n "$prefix-sw" link add br0 type bridge
ip -n "$prefix-sw" link set br0 up
for i in 1 2 3; do
    ns=$prefix-h$i
    ip netns add "$ns"
    # The pair is made inside the two namespaces: no name in this machine's network.
    ip -n "$prefix-sw" link add "v$i" type veth peer name eth0 netns "$ns"
    ip -n "$prefix-sw" link set "v$i" master br0 up
    ip -n "$ns" addr add "10.199.0.$i/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
done

# `agent HOST COMMAND...`: what ssh would do, into HOST's namespace, under
# its own host name (a UTS namespace per host).
cat > "$work/agent" << EOF
#!/bin/sh
host=\$1; shift
exec ip netns exec "$prefix-\$host" unshare --uts sh -c 'hostname "\$0"; exec sh -c "\$1"' "\$host" "\$*"
EOF
# Under sanitizers rank 0 is several times slower to close the study after
# mpirun's SIGTERM: it gets 3 s instead of OpenMPI's 1 s before the SIGKILL.
slower=""
[[ -z ${BTOPT_SANITIZED:-} ]] || slower="--mca odls_base_sigkill_timeout 3"
# `mpirun-hosts HOSTFILE MPIRUN_ARGS...`: mpirun on h1, the flags a cluster
# run over TCP needs (docs/CLUSTER.md), and timeouts that end a run whose
# host went silent within seconds instead of OpenMPI's minutes.
cat > "$work/mpirun-hosts" << EOF
#!/bin/sh
hostfile=\$1; shift
exec ip netns exec "$prefix-h1" unshare --uts sh -c 'hostname h1; exec "\$@"' sh mpirun --hostfile "\$hostfile" --mca plm_rsh_agent "$work/agent" \
    --mca btl "\${BTOPT_MPI_BTL:-tcp,self}" --mca btl_tcp_if_include 10.199.0.0/24 --mca oob_tcp_if_include 10.199.0.0/24 \
    --mca oob_tcp_keepalive_time 1 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3 \
    $slower "\$@"
EOF
chmod +x "$work/agent" "$work/mpirun-hosts"

export BTOPT_NETNS_PREFIX=$prefix BTOPT_MPIRUN_HOSTS=$work/mpirun-hosts BTOPT_HOSTS_WORK=$work
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_warn_on_fork=0
python3 "$here/across_hosts.py" "$case" "$btopt" "$plugin_dir"
