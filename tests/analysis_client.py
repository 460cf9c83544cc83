"""A client of benchfleet.v1.AnalysisService generated from the .proto files
alone: protoc with grpc_python_plugin writes the Python modules into a
directory at run time, so nothing of the C++ build is used.

    modules = generate("/path/with/proto", "/tmp/out")
    client = Client(modules, "127.0.0.1:50051", token)
    client.call("GetRoofline", modules.service.GetRooflineRequest())
"""
import importlib
import os
import shutil
import subprocess
import sys
import types

PROTOS = ("analysis.proto", "analysis_service.proto", "benchmark.proto",
          "sweep.proto", "hardware.proto")


def missing_tools():
    """Why the client cannot be generated here, or None."""
    try:
        import grpc  # noqa: F401
        import google.protobuf  # noqa: F401
    except ImportError as e:
        return f"python3-grpcio / python3-protobuf not installed ({e})"
    for tool in ("protoc", "grpc_python_plugin"):
        if shutil.which(tool) is None:
            return f"{tool} not on PATH (protobuf-compiler, protobuf-compiler-grpc)"
    return None


def generate(root, out_dir):
    """Runs protoc on root/proto/*.proto (imports are "proto/x.proto") and
    imports the generated modules; returns them as .benchmark, .analysis,
    .service (messages) and .grpc (stubs)."""
    plugin = shutil.which("grpc_python_plugin")
    files = [os.path.join("proto", name) for name in PROTOS]
    subprocess.run(
        ["protoc", f"--proto_path={root}", f"--python_out={out_dir}",
         f"--grpc_python_out={out_dir}",
         f"--plugin=protoc-gen-grpc_python={plugin}"] + files,
        check=True)
    # The generated code imports "proto.x_pb2"; make proto/ a package so no
    # installed package of that name can shadow it.
    open(os.path.join(out_dir, "proto", "__init__.py"), "a").close()
    sys.path.insert(0, out_dir)
    modules = types.SimpleNamespace()
    modules.benchmark = importlib.import_module("proto.benchmark_pb2")
    modules.analysis = importlib.import_module("proto.analysis_pb2")
    modules.service = importlib.import_module("proto.analysis_service_pb2")
    modules.grpc = importlib.import_module("proto.analysis_service_pb2_grpc")
    return modules


class Client:
    """AnalysisService on a plaintext loopback channel; every call carries
    "authorization: Bearer <token>" when a token is given."""

    def __init__(self, modules, target, token, timeout_s=60):
        import grpc
        self.channel = grpc.insecure_channel(target)
        self.stub = modules.grpc.AnalysisServiceStub(self.channel)
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.timeout_s = timeout_s

    def call(self, rpc, request):
        return getattr(self.stub, rpc)(request, metadata=self.metadata,
                                       timeout=self.timeout_s)

    def close(self):
        self.channel.close()


def differences(a, b, path=""):
    """Every field where messages a and b differ, as "path: a != b", walking
    both field by field (presence included, so an unset optional figure
    differs from a 0)."""
    out = []
    fields = {f.name: f for f, _ in a.ListFields()}
    fields.update({f.name: f for f, _ in b.ListFields()})
    for name in sorted(fields):
        field = fields[name]
        where = f"{path}.{name}" if path else name
        x, y = getattr(a, name), getattr(b, name)
        is_message = field.message_type is not None
        if field.label == field.LABEL_REPEATED:
            if is_message and field.message_type.GetOptions().map_entry:
                if dict(x) != dict(y):
                    out.append(f"{where}: {dict(x)} != {dict(y)}")
                continue
            if len(x) != len(y):
                out.append(f"{where}: {len(x)} entries != {len(y)}")
                continue
            for i, (u, v) in enumerate(zip(x, y)):
                if is_message:
                    out += differences(u, v, f"{where}[{i}]")
                elif u != v:
                    out.append(f"{where}[{i}]: {u!r} != {v!r}")
        elif is_message:
            if a.HasField(name) != b.HasField(name):
                out.append(f"{where}: set on one side only")
            else:
                out += differences(x, y, where)
        else:
            has = field.has_presence
            if has and a.HasField(name) != b.HasField(name):
                out.append(f"{where}: set on one side only ({x!r} / {y!r})")
            elif x != y:
                out.append(f"{where}: {x!r} != {y!r}")
    return out


def count_fields(message):
    """Scalar fields set in `message` and below (how much a comparison saw)."""
    n = 0
    for field, value in message.ListFields():
        if field.message_type is None:
            n += len(value) if field.label == field.LABEL_REPEATED else 1
        elif field.message_type.GetOptions().map_entry:
            n += len(value)
        elif field.label == field.LABEL_REPEATED:
            n += sum(count_fields(v) for v in value)
        else:
            n += count_fields(value)
    return n
