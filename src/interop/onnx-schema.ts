// The part of ONNX's protobuf schema (onnx.proto, IR version 8) that an MLP needs, as a protobufjs descriptor:
// message and field names with their numbers and types, which are what the format fixes. protobufjs does the
// encoding and decoding; nothing here writes bytes by hand. onnx.proto is proto2: every field has explicit
// presence, so an attribute set to 0 is on the wire and reads back as set (protobufjs's default for a descriptor
// without an edition is proto3's implicit presence, which drops zeros both ways).
import protobuf from 'protobufjs';

const field = (id: number, type: string, rule?: 'repeated', packed?: boolean): protobuf.IField & { rule?: string } =>
  ({ id, type, ...(rule ? { rule } : {}), ...(packed ? { options: { packed: true } } : { options: { packed: false } }) });

const descriptor: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          edition: 'proto2',
          fields: {
            ir_version: field(1, 'int64'),
            producer_name: field(2, 'string'),
            producer_version: field(3, 'string'),
            domain: field(4, 'string'),
            model_version: field(5, 'int64'),
            doc_string: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            opset_import: field(8, 'OperatorSetIdProto', 'repeated'),
            metadata_props: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { edition: 'proto2', fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { edition: 'proto2', fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          edition: 'proto2',
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            doc_string: field(10, 'string'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
            value_info: field(13, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          edition: 'proto2',
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            op_type: field(4, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            doc_string: field(6, 'string'),
            domain: field(7, 'string'),
          },
        },
        AttributeProto: {
          edition: 'proto2',
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            t: field(5, 'TensorProto'),
            g: field(6, 'GraphProto'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
            strings: field(9, 'bytes', 'repeated'),
            tensors: field(10, 'TensorProto', 'repeated'),
            type: field(20, 'int32'),
          },
        },
        TensorProto: {
          edition: 'proto2',
          fields: {
            dims: field(1, 'int64', 'repeated'),
            data_type: field(2, 'int32'),
            float_data: field(4, 'float', 'repeated', true),
            int32_data: field(5, 'int32', 'repeated', true),
            string_data: field(6, 'bytes', 'repeated'),
            int64_data: field(7, 'int64', 'repeated', true),
            name: field(8, 'string'),
            raw_data: field(9, 'bytes'),
            double_data: field(10, 'double', 'repeated', true),
            doc_string: field(12, 'string'),
            external_data: field(13, 'StringStringEntryProto', 'repeated'),
            data_location: field(14, 'int32'),
          },
        },
        ValueInfoProto: { edition: 'proto2', fields: { name: field(1, 'string'), type: field(2, 'TypeProto'), doc_string: field(3, 'string') } },
        TypeProto: {
          edition: 'proto2',
          fields: { tensor_type: field(1, 'Tensor'), denotation: field(6, 'string') },
          nested: { Tensor: { edition: 'proto2', fields: { elem_type: field(1, 'int32'), shape: field(2, 'TensorShapeProto') } } },
        },
        TensorShapeProto: {
          edition: 'proto2',
          fields: { dim: field(1, 'Dimension', 'repeated') },
          nested: { Dimension: { edition: 'proto2', fields: { dim_value: field(1, 'int64'), dim_param: field(2, 'string'), denotation: field(3, 'string') } } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// Plain shapes of the messages as this module reads and writes them (int64 as number).
export interface Tensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  string_data?: Uint8Array[];
  raw_data?: Uint8Array;
  data_location?: number;
}
export interface Attribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: Tensor;
  g?: Graph;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: Tensor[];
}
export interface Node {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: Attribute[];
}
export interface ValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
  doc_string?: string;
}
export interface Graph {
  node?: Node[];
  name?: string;
  initializer?: Tensor[];
  doc_string?: string;
  input?: ValueInfo[];
  output?: ValueInfo[];
}
export interface Model {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: Graph;
  opset_import?: { domain?: string; version?: number }[];
  metadata_props?: { key?: string; value?: string }[];
}

export function encodeModel(model: Model): Uint8Array {
  const message = ModelProto.fromObject(model);
  return ModelProto.encode(message).finish();
}

/** Decodes a model's bytes; throws protobufjs's error for bytes that are not one. */
export function decodeModel(bytes: Uint8Array): Model {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false, arrays: true }) as Model;
}
