"""Generates C++ (and gRPC) code for one .proto with the system protoc."""

def proto_cc_library(name, src, deps = [], grpc = False):
    """Declares `name`: a cc_library with the generated code of `src`.

    Args:
      name: target name; also the .proto's base name.
      src: the .proto file in this package.
      deps: proto_cc_library targets whose .proto files `src` imports.
      grpc: also generate the gRPC service stubs.
    """
    base = src[:-len(".proto")]
    outs = [base + ".pb.h", base + ".pb.cc"]
    cmd = "protoc -I. --cpp_out=$(GENDIR) "
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
        cmd += "--grpc_out=$(GENDIR) --plugin=protoc-gen-grpc=$$(which grpc_cpp_plugin) "
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_proto_src" for d in deps],
        outs = outs,
        cmd = cmd + "$(location " + src + ")",
    )
    native.filegroup(
        name = name + "_proto_src",
        srcs = [src] + [d + "_proto_src" for d in deps],
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//third_party:protobuf"] + (["//third_party:grpc"] if grpc else []),
    )
