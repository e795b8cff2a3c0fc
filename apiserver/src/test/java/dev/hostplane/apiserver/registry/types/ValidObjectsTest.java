package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everyday manifests, one or more per served resource, go through the catalogue's strategies without a single
 * cause, on create and on an unchanged update: the guard against rules stricter than upstream's.
 */
class ValidObjectsTest {
  private static final ResourceCatalog CATALOG = BuiltinResources.catalog(
      new ServiceAddressAllocator("10.96.0.0/16"), new NodePortAllocator());
  private static final String C = "{name:'app',image:'registry.example.com/app@sha256:abc',ports:[{name:'http',"
      + "containerPort:8080}],env:[{name:'POD_IP',valueFrom:{fieldRef:{fieldPath:'status.podIP'}}}],"
      + "resources:{requests:{cpu:'100m',memory:'128Mi'},limits:{memory:'256Mi'}},"
      + "readinessProbe:{httpGet:{path:'/ready',port:'http'}},volumeMounts:[{name:'cfg',mountPath:'/etc/app'}]}";
  private static final String POD_SPEC = "{containers:[" + C + "],volumes:[{name:'cfg',configMap:{name:'app'}}],"
      + "tolerations:[{key:'node.kubernetes.io/not-ready',operator:'Exists',effect:'NoExecute',"
      + "tolerationSeconds:300}],nodeSelector:{'kubernetes.io/os':'linux'}}";
  private static final String TEMPLATE = "{metadata:{labels:{app:'web'}},spec:" + POD_SPEC + "}";
  private static final String SELECTOR = "{matchLabels:{app:'web'}}";
  private static final String JOB_TEMPLATE = "{spec:{containers:[{name:'pi',image:'perl'}],restartPolicy:'Never'}}";

  static Stream<Arguments> manifests() {
    return Stream.of(
        row("", "v1", "configmaps", "{metadata:{name:'app'},data:{'app.yaml':'a: 1','.env':'X=1'},"
            + "binaryData:{'logo.png':'iVBORw0KGgo='}}"),
        row("", "v1", "endpoints", "{metadata:{name:'web'},subsets:[{addresses:[{ip:'10.244.1.5',"
            + "targetRef:{kind:'Pod',name:'web-1'}}],ports:[{name:'http',port:8080},{name:'metrics',port:9090}]}]}"),
        row("", "v1", "events", "{metadata:{name:'web-1.17a',namespace:'default'},involvedObject:{kind:'Pod',"
            + "namespace:'default',name:'web-1'},reason:'Scheduled',message:'ok',type:'Normal',"
            + "source:{component:'default-scheduler'},count:1}"),
        row("", "v1", "events", "{metadata:{name:'n1.17a',namespace:'default'},involvedObject:{kind:'Node',"
            + "name:'n1'},reason:'NodeReady',type:'Normal'}"),
        row("", "v1", "limitranges", "{metadata:{name:'limits'},spec:{limits:[{type:'Container',"
            + "max:{cpu:'2'},min:{cpu:'100m'},defaultRequest:{cpu:'200m'}},{type:'Pod',max:{memory:'4Gi'}}]}}"),
        row("", "v1", "namespaces", "{metadata:{name:'team-a'}}"),
        row("", "v1", "nodes", "{metadata:{name:'node-1',labels:{'kubernetes.io/hostname':'node-1'}},"
            + "spec:{podCIDR:'10.244.1.0/24',taints:[{key:'node-role.kubernetes.io/control-plane',"
            + "effect:'NoSchedule'}]},status:{capacity:{cpu:'4',memory:'16Gi',pods:'110'}}}"),
        row("", "v1", "persistentvolumeclaims", "{metadata:{name:'data'},spec:{accessModes:['ReadWriteOnce'],"
            + "storageClassName:'standard',resources:{requests:{storage:'10Gi'}}}}"),
        row("", "v1", "persistentvolumes", "{metadata:{name:'pv1'},spec:{capacity:{storage:'10Gi'},"
            + "accessModes:['ReadWriteOnce'],csi:{driver:'ebs.csi.aws.com',volumeHandle:'vol-1'}}}"),
        row("", "v1", "pods", "{metadata:{name:'web-1'},spec:" + POD_SPEC + "}"),
        row("", "v1", "pods", "{metadata:{name:'host'},spec:{hostNetwork:true,dnsPolicy:'ClusterFirstWithHostNet',"
            + "containers:[{name:'a',image:'x:latest',ports:[{containerPort:53,protocol:'UDP'}]}],"
            + "initContainers:[{name:'init',image:'busybox',command:['sh','-c','true']}]}}"),
        row("", "v1", "podtemplates", "{metadata:{name:'t'},template:" + TEMPLATE + "}"),
        row("", "v1", "replicationcontrollers", "{metadata:{name:'rc'},spec:{replicas:2,template:" + TEMPLATE
            + "}}"),
        row("", "v1", "resourcequotas", "{metadata:{name:'q'},spec:{hard:{pods:'10','requests.cpu':'4',"
            + "'count/deployments.apps':'5'},scopes:['NotTerminating']}}"),
        row("", "v1", "secrets", "{metadata:{name:'tls'},type:'kubernetes.io/tls',data:{'tls.crt':'Y3J0',"
            + "'tls.key':'a2V5'}}"),
        row("", "v1", "secrets", "{metadata:{name:'pull'},type:'kubernetes.io/dockerconfigjson',"
            + "stringData:{'.dockerconfigjson':'{\"auths\":{}}'}}"),
        row("", "v1", "serviceaccounts", "{metadata:{name:'builder'},imagePullSecrets:[{name:'pull'}]}"),
        row("", "v1", "services", "{metadata:{name:'web'},spec:{selector:{app:'web'},ports:[{name:'http',"
            + "port:80,targetPort:'http'},{name:'https',port:443,targetPort:8443}]}}"),
        row("", "v1", "services", "{metadata:{name:'lb'},spec:{type:'LoadBalancer',externalTrafficPolicy:'Local',"
            + "selector:{app:'web'},ports:[{name:'https',port:443},{name:'dns',port:53,protocol:'UDP'}]}}"),
        row("", "v1", "services", "{metadata:{name:'db'},spec:{clusterIP:'None',selector:{app:'db'},"
            + "ports:[{port:5432}]}}"),
        row("apps", "v1", "controllerrevisions", "{metadata:{name:'web-5d4f'},revision:2,data:{spec:{}}}"),
        row("apps", "v1", "daemonsets", "{metadata:{name:'agent'},spec:{selector:" + SELECTOR + ",template:"
            + TEMPLATE + "}}"),
        row("apps", "v1", "deployments", "{metadata:{name:'web'},spec:{replicas:3,selector:" + SELECTOR
            + ",strategy:{type:'RollingUpdate',rollingUpdate:{maxSurge:1,maxUnavailable:0}},template:" + TEMPLATE
            + "}}"),
        row("apps", "v1", "deployments", "{metadata:{name:'recreate'},spec:{selector:{matchExpressions:[{key:'app',"
            + "operator:'In',values:['web']}]},strategy:{type:'Recreate'},template:" + TEMPLATE + "}}"),
        row("apps", "v1", "replicasets", "{metadata:{name:'web-5d4f'},spec:{selector:" + SELECTOR + ",template:"
            + TEMPLATE + "}}"),
        row("apps", "v1", "statefulsets", "{metadata:{name:'db'},spec:{serviceName:'db',selector:" + SELECTOR
            + ",template:" + TEMPLATE + ",volumeClaimTemplates:[{metadata:{name:'data'},spec:{accessModes:["
            + "'ReadWriteOnce'],resources:{requests:{storage:'1Gi'}}}}]}}"),
        row("events.k8s.io", "v1", "events", "{metadata:{name:'e1',namespace:'default'},eventTime:"
            + "'2024-01-01T00:00:00.000000Z',reportingController:'kubelet',reportingInstance:'node-1',"
            + "action:'Pulling',reason:'Pulling',type:'Normal',note:'pulling',"
            + "regarding:{kind:'Pod',namespace:'default',name:'web-1'}}"),
        row("autoscaling", "v2", "horizontalpodautoscalers", "{metadata:{name:'web'},spec:{scaleTargetRef:{"
            + "apiVersion:'apps/v1',kind:'Deployment',name:'web'},minReplicas:2,maxReplicas:10,metrics:[{"
            + "type:'Resource',resource:{name:'memory',target:{type:'AverageValue',averageValue:'500Mi'}}},{"
            + "type:'External',external:{metric:{name:'queue'},target:{type:'Value',value:'100'}}}]}}"),
        row("autoscaling", "v1", "horizontalpodautoscalers", "{metadata:{name:'web'},spec:{scaleTargetRef:{"
            + "kind:'Deployment',name:'web'},maxReplicas:4}}"),
        row("batch", "v1", "cronjobs", "{metadata:{name:'backup'},spec:{schedule:'0 3 * * *',"
            + "timeZone:'Europe/Berlin',concurrencyPolicy:'Forbid',jobTemplate:{spec:{backoffLimit:2,"
            + "template:" + JOB_TEMPLATE + "}}}}"),
        row("batch", "v1", "jobs", "{metadata:{name:'pi',uid:'u-1'},spec:{completions:5,parallelism:2,"
            + "completionMode:'Indexed',template:" + JOB_TEMPLATE + "}}"),
        row("certificates.k8s.io", "v1", "certificatesigningrequests", null),
        row("networking.k8s.io", "v1", "ingressclasses", "{metadata:{name:'nginx',annotations:{"
            + "'ingressclass.kubernetes.io/is-default-class':'true'}},spec:{controller:'k8s.io/ingress-nginx'}}"),
        row("networking.k8s.io", "v1", "ingresses", "{metadata:{name:'web'},spec:{ingressClassName:'nginx',"
            + "tls:[{hosts:['*.example.com'],secretName:'tls'}],rules:[{host:'www.example.com',http:{paths:[{"
            + "path:'/',pathType:'Prefix',backend:{service:{name:'web',port:{name:'http'}}}},{path:'/api',"
            + "pathType:'Exact',backend:{service:{name:'api',port:{number:8080}}}}]}}]}}"),
        row("networking.k8s.io", "v1", "networkpolicies", "{metadata:{name:'allow'},spec:{podSelector:{matchLabels:{"
            + "app:'db'}},ingress:[{from:[{podSelector:{matchLabels:{app:'web'}}},{ipBlock:{cidr:'10.0.0.0/8',"
            + "except:['10.1.0.0/16']}}],ports:[{port:5432}]}],egress:[{to:[{namespaceSelector:{}}]}]}}"),
        row("policy", "v1", "poddisruptionbudgets", "{metadata:{name:'web'},spec:{minAvailable:'50%',selector:"
            + SELECTOR + "}}"),
        row("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "{metadata:{name:'system:admins'},"
            + "roleRef:{apiGroup:'rbac.authorization.k8s.io',kind:'ClusterRole',name:'cluster-admin'},"
            + "subjects:[{kind:'Group',name:'system:masters'},{kind:'ServiceAccount',name:'ci',namespace:'ci'}]}"),
        row("rbac.authorization.k8s.io", "v1", "clusterroles", "{metadata:{name:'system:monitor'},rules:[{"
            + "nonResourceURLs:['/metrics','/healthz/*'],verbs:['get']},{apiGroups:[''],resources:['pods',"
            + "'pods/log'],verbs:['get','list','watch']}]}"),
        row("rbac.authorization.k8s.io", "v1", "clusterroles", "{metadata:{name:'monitoring'},aggregationRule:{"
            + "clusterRoleSelectors:[{matchLabels:{'rbac.example.com/aggregate-to-monitoring':'true'}}]}}"),
        row("rbac.authorization.k8s.io", "v1", "rolebindings", "{metadata:{name:'rb'},roleRef:{kind:'ClusterRole',"
            + "name:'view'},subjects:[{kind:'ServiceAccount',name:'default'},{kind:'User',name:'alice@example.com'}]}"),
        row("rbac.authorization.k8s.io", "v1", "roles", "{metadata:{name:'r'},rules:[{apiGroups:['apps'],"
            + "resources:['deployments'],resourceNames:['web'],verbs:['*']}]}"),
        row("storage.k8s.io", "v1", "csidrivers", "{metadata:{name:'ebs.csi.aws.com'},spec:{}}"),
        row("storage.k8s.io", "v1", "csinodes", "{metadata:{name:'node-1'},spec:{drivers:[{name:'ebs.csi.aws.com',"
            + "nodeID:'i-123',allocatable:{count:25}}]}}"),
        row("storage.k8s.io", "v1", "storageclasses", "{metadata:{name:'standard'},provisioner:'ebs.csi.aws.com',"
            + "parameters:{type:'gp3'},volumeBindingMode:'WaitForFirstConsumer',allowVolumeExpansion:true}"),
        row("storage.k8s.io", "v1", "volumeattachments", "{metadata:{name:'csi-123'},spec:{attacher:"
            + "'ebs.csi.aws.com',nodeName:'node-1',source:{persistentVolumeName:'pv1'}}}"),
        row("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "{metadata:{name:'inject'},"
            + "webhooks:[{name:'inject.example.com',sideEffects:'NoneOnDryRun',admissionReviewVersions:['v1',"
            + "'v1beta1'],reinvocationPolicy:'IfNeeded',clientConfig:{service:{namespace:'system',name:'hook',"
            + "path:'/mutate/pods'}},rules:[{operations:['CREATE','UPDATE'],apiGroups:[''],apiVersions:['v1'],"
            + "resources:['pods','pods/status'],scope:'Namespaced'}],matchConditions:[{name:'not-system',"
            + "expression:'true'}]}]}"),
        row("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "{metadata:{name:'policy'},"
            + "webhooks:[{name:'policy.example.com',sideEffects:'None',admissionReviewVersions:['v1'],"
            + "failurePolicy:'Ignore',timeoutSeconds:5,clientConfig:{url:'https://policy.example.com:8443/validate',"
            + "caBundle:'Y2E='},rules:[{operations:['*'],apiGroups:['*'],apiVersions:['*'],resources:['*/*']}]}]}"),
        row("apiextensions.k8s.io", "v1", "customresourcedefinitions", "{metadata:{name:'crontabs.stable.example.com'},"
            + "spec:{group:'stable.example.com',scope:'Namespaced',names:{plural:'crontabs',kind:'CronTab',"
            + "shortNames:['ct'],categories:['all']},versions:[{name:'v1',served:true,storage:true,"
            + "schema:{openAPIV3Schema:{type:'object'}},subresources:{status:{}}},{name:'v1beta1',served:false,"
            + "storage:false,schema:{openAPIV3Schema:{type:'object'}}}]}}"),
        row("scheduling.k8s.io", "v1", "priorityclasses", "{metadata:{name:'high'},value:100000,"
            + "description:'important'}"),
        row("scheduling.k8s.io", "v1", "priorityclasses", "{metadata:{name:'system-node-critical'},"
            + "value:2000001000}"),
        row("coordination.k8s.io", "v1", "leases", "{metadata:{name:'kube-scheduler'},spec:{holderIdentity:'a',"
            + "leaseDurationSeconds:15,renewTime:'2024-01-01T00:00:00.000000Z',leaseTransitions:3}}"),
        row("node.k8s.io", "v1", "runtimeclasses", "{metadata:{name:'gvisor'},handler:'runsc',overhead:{"
            + "podFixed:{memory:'120Mi',cpu:'250m'}},scheduling:{nodeSelector:{sandbox:'gvisor'}}}"),
        row("discovery.k8s.io", "v1", "endpointslices", "{metadata:{name:'web-abc'},addressType:'IPv4',"
            + "endpoints:[{addresses:['10.244.1.5'],conditions:{ready:true},nodeName:'node-1'}],ports:[{"
            + "name:'http',port:8080}]}"),
        row("discovery.k8s.io", "v1", "endpointslices", "{metadata:{name:'ext'},addressType:'FQDN',"
            + "endpoints:[{addresses:['db.example.com']}]}"));
  }

  private static Arguments row(String group, String version, String resource, String json) {
    return Arguments.of(group, version, resource, json);
  }

  @ParameterizedTest(name = "{0}/{1} {2}")
  @MethodSource("manifests")
  void createsAndUnchangedUpdatesAreAccepted(String group, String version, String resource, String json) {
    ResourceType type = CATALOG.find(group, version, resource).orElseThrow();
    if (json == null) {
      return;
    }
    ObjectNode obj = Trees.obj(json);
    if (type.namespaced() && ObjectMeta.namespace(obj) == null) {
      ObjectMeta.meta(obj).put("namespace", "default");
    }
    ObjectMeta.meta(obj).put("uid", "u-1");
    obj = type.converter().toStorage(obj);
    Strategy s = type.strategy();
    assertEquals("", Trees.render(Trees.create(s, obj)), obj.toPrettyString());
    assertEquals("", Trees.render(Trees.update(s, obj.deepCopy(), obj)), obj.toPrettyString());
  }

  /** A row with a null manifest is covered by a dedicated test (a CSR needs a freshly signed request). */
  @Test
  void everyResourceHasAManifest() {
    Set<String> covered = manifests().map(a -> a.get()[0] + "/" + a.get()[1] + "/" + a.get()[2])
        .collect(Collectors.toSet());
    Set<String> missing = CATALOG.all().stream().map(t -> t.group() + "/" + t.version() + "/" + t.resource())
        .filter(k -> !covered.contains(k)).collect(Collectors.toCollection(HashSet::new));
    assertEquals(Set.of(), missing);
  }
}
