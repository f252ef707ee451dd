#!/usr/bin/env bash
# run-demo.sh SERVER WAR PORT SERVERS_DIR PAYARA6_JAR PAYARA7_JAVA
# Runs the demo WAR in the foreground at http://127.0.0.1:PORT/ on one server of the matrix (payara6, payara7, wildfly,
# liberty), unpacked by the build into SERVERS_DIR. Called by `mvn -Pdemo verify -Ddemo.server=...`; Ctrl-C stops it.
set -euo pipefail
server=$1 war=$2 port=$3 servers=$4 payara6=$5 java25=$6
case "$server" in
  payara6)
    exec java -jar "$payara6" --deploy "$war" --contextroot / --port "$port" --nohazelcast --disablephonehome ;;
  payara7)
    exec "$java25" -jar "$servers/payara-micro-7.jar" --deploy "$war" --contextroot / --port "$port" --nohazelcast --disablephonehome ;;
  wildfly)
    home=$(ls -d "$servers"/wildfly-*/ | head -1)
    base="$servers/wildfly-demo"
    rm -rf "$base" && cp -r "$home/standalone" "$base"
    cp "$war" "$base/deployments/ROOT.war"
    # every port moves with the HTTP port (management at PORT+1910, as 9990 is to 8080)
    exec "$home/bin/standalone.sh" -Djboss.server.base.dir="$base" -Djboss.socket.binding.port-offset=$((port - 8080)) ;;
  liberty)
    dir="$servers/wlp/usr/servers/apiauth-demo"
    rm -rf "$dir" && mkdir -p "$dir"
    # the test server's configuration (default datasource: H2 in memory), plus the demo at the root context
    sed "s#</server>#    <webApplication location=\"$war\" contextRoot=\"/\"/>\n</server>#" \
        "$servers/wlp/usr/servers/apiauth/server.xml" > "$dir/server.xml"
    echo "http.port=$port" > "$dir/bootstrap.properties"
    exec "$servers/wlp/bin/server" run apiauth-demo ;;
  *)
    echo "demo.server=$server: expected payara6, payara7, wildfly or liberty" >&2; exit 2 ;;
esac
