package nl.smokkelradar.elasticsearch;

import java.util.List;
import java.util.function.Supplier;

import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.node.Node;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * {@code GET /} and {@code HEAD /}: the node's name, cluster and version, as the rest-root
 * module answers in production. Clients call it to check the server ({@code info()}) and to
 * see whether it is up ({@code ping()}); the integ-test distribution lacks that module.
 */
final class RootInfoRestHandler extends BaseRestHandler {

    private static final String TAGLINE = "You Know, for Search";

    private final String nodeName;
    private final String clusterName;
    private final Supplier<ClusterService> clusterService;

    RootInfoRestHandler(Settings settings, Supplier<ClusterService> clusterService) {
        this.nodeName = Node.NODE_NAME_SETTING.get(settings);
        this.clusterName = ClusterName.CLUSTER_NAME_SETTING.get(settings).value();
        this.clusterService = clusterService;
    }

    @Override
    public String getName() {
        return "smokkelradar_root_info_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        if (request.method() == RestRequest.Method.HEAD) {
            return channel -> channel.sendResponse(new RestResponse(RestStatus.OK, RestResponse.TEXT_CONTENT_TYPE, BytesArray.EMPTY));
        }
        return channel -> {
            XContentBuilder body = channel.newBuilder();
            writeInfo(body);
            channel.sendResponse(new RestResponse(RestStatus.OK, body));
        };
    }

    private void writeInfo(XContentBuilder body) throws java.io.IOException {
        Build build = Build.current();
        ClusterService service = clusterService.get();
        // Before the cluster state is recovered the UUID is unknown; production says "_na_" too.
        String clusterUuid = service == null ? "_na_" : service.state().metadata().clusterUUID();
        body.startObject();
        body.field("name", nodeName);
        body.field("cluster_name", clusterName);
        body.field("cluster_uuid", clusterUuid);
        body.startObject("version");
        body.field("number", build.qualifiedVersion());
        body.field("build_flavor", build.flavor());
        body.field("build_type", build.type().displayName());
        body.field("build_hash", build.hash());
        body.field("build_date", build.date());
        body.field("build_snapshot", build.isSnapshot());
        body.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
        body.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
        body.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
        body.endObject();
        body.field("tagline", TAGLINE);
        body.endObject();
    }
}
