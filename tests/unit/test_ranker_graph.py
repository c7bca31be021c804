from __future__ import annotations

import torch

from ecr_agent.ranker.graph import BasisRGCN, constant_spmm, csr


def _random_graph(nodes: int = 40, edges: int = 160, relations: int = 6, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(0, nodes, (2, edges), generator=generator)
    edge_type = torch.randint(0, relations, (edges,), generator=generator)
    return edge_index, edge_type


def test_basis_rgcn_equals_pyg_rgcnconv():
    from torch_geometric.nn import RGCNConv

    nodes, dim, relations, bases = 40, 8, 6, 3
    edge_index, edge_type = _random_graph(nodes, relations=relations)
    ours = BasisRGCN(nodes, dim, relations, bases, edge_index, edge_type)
    reference = RGCNConv(dim, dim, num_relations=relations, num_bases=bases, aggr="mean")
    with torch.no_grad():
        reference.weight.copy_(ours.basis)
        reference.comp.copy_(ours.comp)
        reference.root.copy_(ours.root)
        ours.bias.copy_(torch.randn(dim))
        reference.bias.copy_(ours.bias)
    x = torch.randn(nodes, dim)
    assert torch.allclose(ours(x), reference(x, edge_index, edge_type), atol=1e-5)


def test_basis_rgcn_gradients_match_dense_computation():
    nodes, dim, relations, bases = 30, 4, 4, 2
    edge_index, edge_type = _random_graph(nodes, 90, relations, seed=1)
    layer = BasisRGCN(nodes, dim, relations, bases, edge_index, edge_type).double()
    x = torch.randn(nodes, dim, dtype=torch.float64, requires_grad=True)
    assert layer._full is None  # built on the first pass, in the parameters' float64
    assert torch.autograd.gradcheck(lambda inp: layer(inp), (x,), eps=1e-6, atol=1e-5)
    assert torch.autograd.gradcheck(lambda inp: layer(inp, torch.tensor([1, 2, 29])), (x,), eps=1e-6, atol=1e-5)


def test_constant_spmm_backward_uses_transpose():
    rows, cols = torch.tensor([0, 0, 2]), torch.tensor([1, 2, 0])
    values = torch.tensor([0.5, 0.25, 2.0])
    matrix, transposed = csr(rows, cols, values, (3, 3)), csr(cols, rows, values, (3, 3))
    x = torch.randn(3, 2, requires_grad=True)
    dense = torch.zeros(3, 3)
    dense[rows, cols] = values
    out = constant_spmm(matrix, transposed, x)
    assert torch.allclose(out, dense @ x)
    out.sum().backward()
    assert torch.allclose(x.grad, dense.T @ torch.ones(3, 2))


def test_targeted_convolution_matches_full_rows():
    nodes, dim = 40, 8
    edge_index, edge_type = _random_graph(nodes, relations=6, seed=3)
    layer = BasisRGCN(nodes, dim, 6, 3, edge_index, edge_type)
    x = torch.randn(nodes, dim)
    targets = torch.tensor([0, 5, 7, 39])
    full, partial = layer(x), layer(x, targets)
    assert torch.allclose(full[targets], partial[targets], atol=1e-6)
    others = torch.ones(nodes, dtype=torch.bool)
    others[targets] = False
    assert torch.equal(partial[others], x[others])
