"""Writes tiny_lightning.ckpt: the layout torch.save (>= 1.6, zip format, pickle protocol 2) gives a
PyTorch-Lightning checkpoint, emulated with the standard library only (no torch here).

The pickle stream comes from Python's own pickle module exactly as torch.save drives it: tensors
reduce to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict()), storages are persistent ids ('storage', torch.<Type>Storage, key, 'cpu', numel),
their bytes are the zip entries <archive>/data/<key>; plus the records 'version' and 'byteorder'.
Lightning's extra entries (epoch, hyper_parameters as an opaque object, ...) are included.
Not checked against a real torch.save file. Run: python3 make_torch_zip_fixture.py
"""
import collections, io, pickle, struct, sys, types, zipfile

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
parsing = types.ModuleType("pytorch_lightning.utilities.parsing")
sys.modules.update({"torch": torch, "torch._utils": utils, "pytorch_lightning": types.ModuleType("pytorch_lightning"),
                    "pytorch_lightning.utilities": types.ModuleType("pytorch_lightning.utilities"),
                    "pytorch_lightning.utilities.parsing": parsing})


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2


def storage_class(name):
    cls = type(name, (), {})
    cls.__module__ = "torch"
    setattr(torch, name, cls)
    return cls


FloatStorage = storage_class("FloatStorage")
HalfStorage = storage_class("HalfStorage")


class AttributeDict(dict):
    pass


AttributeDict.__module__ = "pytorch_lightning.utilities.parsing"
parsing.AttributeDict = AttributeDict


class Storage:
    def __init__(self, kind, fmt, values):
        self.kind, self.data, self.numel = kind, struct.pack("<%d%s" % (len(values), fmt), *values), len(values)


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce_ex__(self, protocol):
        storage, offset, size, stride = self.args
        return (_rebuild_tensor_v2, (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict()))


def main(out, deepspeed=False):
    shared = Storage(FloatStorage, "f", [float(i) for i in range(10)])
    half = Storage(HalfStorage, "e", [0.5, -1.0, 2.0, 4.0, 8.0, 16.0])
    state = collections.OrderedDict()
    state["model.diffusion_model.a.weight"] = Tensor(shared, 0, [2, 3], [3, 1])
    state["model.diffusion_model.a.bias"] = Tensor(shared, 6, [4], [1])  # a view into the same storage
    state["cond_stage_model.model.b"] = Tensor(half, 0, [3, 2], [2, 1])
    state["scale_arr"] = Tensor(Storage(FloatStorage, "f", [1.0]), 0, [], [])
    if deepspeed:
        root = {"module": collections.OrderedDict(("_forward_module." + k, v) for k, v in state.items())}
    else:
        root = {"epoch": 3, "global_step": 1200, "pytorch-lightning_version": "1.8.3", "state_dict": state,
                "hyper_parameters": AttributeDict(lr=1e-4, name="t2v"), "loops": {"fit_loop": {"epoch": [1, 2.5, None, True]}}}

    storages, ids = {}, {}

    def persistent_id(obj):
        if isinstance(obj, Storage):
            key = ids.setdefault(id(obj), str(len(ids)))
            storages[key] = obj
            return ("storage", obj.kind, key, "cpu", obj.numel)
        return None

    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = persistent_id
    p.dump(root)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for key in sorted(storages):
            with z.open("archive/data/" + key, "w", force_zip64=(key == "1")) as f:
                f.write(storages[key].data)
        z.writestr("archive/version", "3\n")


main("tiny_lightning.ckpt")
main("tiny_deepspeed.ckpt", deepspeed=True)
