#!/usr/bin/env bash
# End-to-end SMTP throughput benchmark (see bench/README.md). Not part of the test suite.
# Usage: bench/run.sh [-Dbench.small=10000] [-Dbench.large=1000] [-Dbench.rounds=3]   SMTP throughput (issue #2)
#        bench/run.sh attachment [-Dbench.attachmentMb=50]                              heap while sending a large attachment (issue #3)
#        bench/run.sh outbox-attachment [-Dbench.attachmentMb=50] [-Dbench.pgUrl=…]      heap while enqueuing and delivering one (issue #10.8)
#        bench/run.sh outbox [-Dbench.outboxMails=20000] [-Dbench.rounds=3] [-Dbench.outboxThreads=2] [-Dbench.countAtSink=true] [-Dbench.sinkDelayMs=0] [-Dbench.pgUrl=…]
#                                                                                        outbox throughput, 1 vs 2 worker pools (issue #4)
#        bench/run.sh tokens                                                             JMH: cached OAuth token lookup (issue #12)
#        bench/run.sh gmail [-Dbench.messages=2000] [-Dbench.https=true]                 Gmail API vs SMTP XOAUTH2, one run (issue #12)
#        bench/run.sh graph [-Dbench.messages=2000] [-Dbench.largeMessages=12] [-Dbench.largeMb=8] [-Dbench.delayMs=0]
#                                                                                        Graph: 1 vs 4 mailboxes, the per-mailbox cap, upload sessions (issue #13)
#        bench/run.sh resolution                                                         JMH: cached resolution vs a JDBC read (issue #4)
#        bench/run.sh claim [-Dbench.pgUrl=jdbc:postgresql://127.0.0.1:5432/test?user=postgres]   outbox claim cost vs backlog (issue #4)
#        bench/run.sh fanout [-Dbench.recipients=10000] [-Dbench.pgUrl=…]                  notification fan-out vs one enqueue each (issue #5)
#        bench/run.sh latency [-Dbench.latencyMs=5] [-Dbench.latencyMails=400] [-Dbench.rounds=3]
#                                                                                        SMTP across a delaying link: PIPELINING/CHUNKING vs raw Angus (issue #16)
set -euo pipefail
cd "$(dirname "$0")/.."
postfix_dir="$PWD/bench/target/postfix"
if [ ! -x "$postfix_dir/usr/sbin/smtp-sink" ]; then
  # Postfix's smtp-sink/smtp-source, unpacked from Debian's package without installing a mail server.
  mkdir -p "$postfix_dir" && tmp=$(mktemp -d)
  if (cd "$tmp" && { apt-get download postfix >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download postfix >/dev/null 2>&1; }; }); then
    dpkg -x "$tmp"/postfix_*.deb "$postfix_dir"
  else
    echo "Postfix package not available: falling back to a SubEthaSMTP sink in a second JVM" >&2
  fi
  rm -rf "$tmp"
fi
# Built in the reactor, nothing installed into ~/.m2: each module writes its classpath, the bench's is used.
mvn -B -q -pl bench -am package org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip \
  -Dexec.skip=false -Dexec.executable=sh '-Dexec.args=-c "mkdir -p target && echo %classpath > target/bench.classpath"'
if [ "${1:-}" = outbox-attachment ]; then
  shift
  main=dev.mailroom.bench.OutboxLargeAttachmentBench jvm="-Xmx128m -Xmn8m"
elif [ "${1:-}" = attachment ]; then
  shift
  main=dev.mailroom.bench.LargeAttachmentBench jvm="-Xmx64m -Xmn8m"
elif [ "${1:-}" = claim ]; then
  shift
  main=dev.mailroom.bench.OutboxClaimBench jvm="-Xmx1g"
elif [ "${1:-}" = fanout ]; then
  shift
  main=dev.mailroom.bench.NotificationFanoutBench jvm="-Xmx1g"
elif [ "${1:-}" = resolution ]; then
  shift
  main="org.openjdk.jmh.Main ResolutionBench -f 1 -wi 3 -w 1s -i 5 -r 2s -bm sample -tu us" jvm="-Xmx1g"
elif [ "${1:-}" = tokens ]; then
  shift
  main="org.openjdk.jmh.Main TokenLookupBench -f 1 -wi 3 -w 1s -i 5 -r 2s -bm avgt -tu ns" jvm="-Xmx1g"
elif [ "${1:-}" = gmail ]; then
  shift
  main=dev.mailroom.bench.GmailThroughputBench jvm="-Xmx1g"
elif [ "${1:-}" = graph ]; then
  shift
  main=dev.mailroom.bench.GraphThroughputBench jvm="-Xmx256m"
elif [ "${1:-}" = latency ]; then
  shift
  main=dev.mailroom.bench.SmtpLatencyBench jvm="-Xmx1g"
elif [ "${1:-}" = outbox ]; then
  shift
  main=dev.mailroom.bench.OutboxThroughputBench jvm="-Xmx1g"
else
  main=dev.mailroom.bench.SmtpThroughputBench jvm="-Xmx1g"
fi
# shellcheck disable=SC2086
exec java $jvm -Dbench.postfix="$postfix_dir" "$@" -cp "$(cat bench/target/bench.classpath)" $main
