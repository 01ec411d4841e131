/* The per-value walks of a template, in C: the loops a build runs over every value it reads.
 *
 * The Python functions are the definition and the fallback (iacviz/walks.py picks this module
 * only when it is built with the INTERFACE it expects); each function here gives exactly what
 * its Python twin gives, tests/test_walks_fast.py compares them on the whole corpus and on
 * hostile values:
 *
 *   too_deep(value, limit)                      limits.too_deep (limit in 0..MAX_LIMIT)
 *   walk(node, here, paths, values, join)       model/build.py _walk: the leaves of a mapping or
 *                                               list, intrinsic functions kept whole
 *   references(value, path, pointers, check, checked, unchecked, known_check, sub_names, join,
 *              reference)                       cfn/intrinsics.py walk_references, as a list
 *   sections(res, sections, names, check, checked, sub_names, join, reference)
 *                                               cfn/shapes.py checked_sections: the references of
 *                                               each section of a resource, shapes checked
 *   driven_by(values, labelled, drivers)        model/build.py _driven_by: the driven_by cell of
 *                                               each leaf, memoised in `labelled` as it is there
 *   properties(resources, here, join, leaves, answers, behaviors, labelled, drivers)
 *                                               model/build.py _properties' loop: the leaves of
 *                                               each resource, their stack, logical id, update
 *                                               behavior (read from behaviors' memo) and
 *                                               driven_by cell (as driven_by gives them);
 *                                               NotImplemented for a resource that is no 4-tuple
 *
 * Only exact dicts, lists and strs are walked into or taken apart, as the Python code's
 * `type(x) is dict` does. What needs judgement (a key that is not a plain str, int, float, bool
 * or None in a one-key mapping) makes references() answer NotImplemented: the caller then
 * walks in Python. Pointers with a key to escape, or not a str or int, are made by the Python
 * `join` passed in.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>
#include <string.h>

/* The recursions' bounds: deeper than any template is read (limits.MAX_DEPTH is 100), and
 * shallow enough for the smallest thread stack the C walks may run on. */
#define MAX_C_DEPTH 256
#define MAX_LIMIT 256

static PyObject *s_ref, *s_fn, *s_condition;
static PyObject *s_kind_ref, *s_kind_getatt, *s_kind_sub, *s_kind_importvalue, *s_kind_findinmap,
    *s_kind_condition, *s_empty, *s_dot;
static PyObject *s_suffix_ref, *s_suffix_getatt1, *s_suffix_sub0, *s_suffix_sub1, *s_suffix_importvalue,
    *s_suffix_findinmap, *s_suffix_if;

/* ---------------------------------------------------------------------------------------------
 * too_deep */

/* 1 when a level below `node` (a dict or list at level `depth`) lies deeper than `limit`. */
static int over(PyObject *node, long depth, long limit) {
    if (depth > limit)
        return 1;
    if (PyDict_CheckExact(node)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(node, &pos, &k, &v))
            if ((PyDict_CheckExact(v) || PyList_CheckExact(v)) && over(v, depth + 1, limit))
                return 1;
    } else {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(node); i++) {
            PyObject *v = PyList_GET_ITEM(node, i);
            if ((PyDict_CheckExact(v) || PyList_CheckExact(v)) && over(v, depth + 1, limit))
                return 1;
        }
    }
    return 0;
}

static PyObject *too_deep(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "too_deep(value, limit)");
        return NULL;
    }
    int overflow;
    long limit = PyLong_AsLongAndOverflow(args[1], &overflow);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    if (overflow < 0) /* below any level */
        Py_RETURN_TRUE;
    if (overflow > 0 || limit > MAX_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "too_deep: limit above what this walk recurses to");
        return NULL;
    }
    PyObject *value = args[0];
    if (1 > limit) /* the value itself is level 1 */
        Py_RETURN_TRUE;
    if (!(PyDict_CheckExact(value) || PyList_CheckExact(value)))
        Py_RETURN_FALSE;
    return PyBool_FromLong(over(value, 1, limit));
}

/* ---------------------------------------------------------------------------------------------
 * pointers and intrinsic functions */

/* intrinsics.is_intrinsic for an exact dict: one key, a str that is Ref, Condition or Fn::... */
static int is_function_key(PyObject *key) {
    if (!PyUnicode_CheckExact(key) || PyUnicode_READY(key) < 0) {
        PyErr_Clear();
        return 0;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    if (n == 3 || n == 9)
        if (PyUnicode_Compare(key, n == 3 ? s_ref : s_condition) == 0)
            return 1;
    return n >= 4 && PyUnicode_Tailmatch(key, s_fn, 0, 4, -1) == 1;
}

static int is_intrinsic(PyObject *v) {
    if (!PyDict_CheckExact(v) || PyDict_GET_SIZE(v) != 1)
        return 0;
    Py_ssize_t pos = 0;
    PyObject *k, *x;
    PyDict_Next(v, &pos, &k, &x);
    return is_function_key(k);
}

/* a + b + c (c may be NULL), all exact strs: f"{a}{b}{c}" without parsing a format. */
static PyObject *concat(PyObject *a, PyObject *b, PyObject *c) {
    Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b), lc = c ? PyUnicode_GET_LENGTH(c) : 0;
    if (PyUnicode_IS_COMPACT_ASCII(a) && PyUnicode_IS_COMPACT_ASCII(b) && (c == NULL || PyUnicode_IS_COMPACT_ASCII(c))) {
        PyObject *s = PyUnicode_New(la + lb + lc, 127);
        if (s == NULL)
            return NULL;
        Py_UCS1 *out = PyUnicode_1BYTE_DATA(s);
        memcpy(out, PyUnicode_1BYTE_DATA(a), la);
        memcpy(out + la, PyUnicode_1BYTE_DATA(b), lb);
        if (c)
            memcpy(out + la + lb, PyUnicode_1BYTE_DATA(c), lc);
        return s;
    }
    PyObject *ab = PyUnicode_Concat(a, b);
    if (ab == NULL || c == NULL)
        return ab;
    PyObject *abc = PyUnicode_Concat(ab, c);
    Py_DECREF(ab);
    return abc;
}

static PyObject *s_slash;
#define SMALL_INDEXES 256
static PyObject *small_index[SMALL_INDEXES]; /* "/0", "/1", ... */

/* `here` extended by a list index: f"{here}/{i}". */
static PyObject *extend_index(PyObject *here, Py_ssize_t i) {
    if (i < SMALL_INDEXES)
        return concat(here, small_index[i], NULL);
    return PyUnicode_FromFormat("%U/%zd", here, i);
}

/* `here` extended by a key, as the Python walks make it: f"{here}/{k}" for an int, or a str
 * holding neither ~ nor /; join(here, k) for any other key. */
static PyObject *extend(PyObject *here, PyObject *k, PyObject *join) {
    if (PyUnicode_CheckExact(k)) {
        if (PyUnicode_READY(k) < 0)
            return NULL;
        Py_ssize_t n = PyUnicode_GET_LENGTH(k);
        if (PyUnicode_IS_COMPACT_ASCII(k)) {
            const char *text = (const char *)PyUnicode_1BYTE_DATA(k);
            if (memchr(text, '~', n) == NULL && memchr(text, '/', n) == NULL)
                return concat(here, s_slash, k);
        } else if (PyUnicode_FindChar(k, '~', 0, n, 1) == -1 && PyUnicode_FindChar(k, '/', 0, n, 1) == -1) {
            return concat(here, s_slash, k);
        }
    } else if (PyLong_CheckExact(k)) {
        return PyUnicode_FromFormat("%U/%S", here, k);
    }
    return PyObject_CallFunctionObjArgs(join, here, k, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * walk: the leaves of Properties */

static int walk_node(PyObject *node, PyObject *here, PyObject *paths, PyObject *values, PyObject *join, int depth);

/* One child: walked into, or a leaf at `at`. Steals nothing. */
static int walk_child(PyObject *v, PyObject *at, PyObject *paths, PyObject *values, PyObject *join, int depth) {
    if (PyDict_CheckExact(v)) {
        Py_ssize_t n = PyDict_GET_SIZE(v);
        if (n > 1 || (n == 1 && !is_intrinsic(v)))
            return walk_node(v, at, paths, values, join, depth + 1);
    } else if (PyList_CheckExact(v) && PyList_GET_SIZE(v)) {
        return walk_node(v, at, paths, values, join, depth + 1);
    }
    if (PyList_Append(paths, at) < 0 || PyList_Append(values, v) < 0)
        return -1;
    return 0;
}

static int walk_node(PyObject *node, PyObject *here, PyObject *paths, PyObject *values, PyObject *join, int depth) {
    if (depth > MAX_C_DEPTH) { /* as deep recursion in Python ends: the caller walks again */
        PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded while walking a value");
        return -1;
    }
    int failed = 0;
    if (PyDict_CheckExact(node)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (!failed && PyDict_Next(node, &pos, &k, &v)) {
            Py_INCREF(k);
            Py_INCREF(v);
            PyObject *at = extend(here, k, join);
            failed = at == NULL || walk_child(v, at, paths, values, join, depth) < 0;
            Py_XDECREF(at);
            Py_DECREF(k);
            Py_DECREF(v);
        }
    } else {
        for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(node); i++) {
            PyObject *v = PyList_GET_ITEM(node, i);
            Py_INCREF(v);
            PyObject *at = extend_index(here, i);
            failed = at == NULL || walk_child(v, at, paths, values, join, depth) < 0;
            Py_XDECREF(at);
            Py_DECREF(v);
        }
    }
    return failed ? -1 : 0;
}

static PyObject *walk(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyUnicode_CheckExact(args[1]) || !PyList_Check(args[2]) || !PyList_Check(args[3]) ||
        !(PyDict_CheckExact(args[0]) || PyList_CheckExact(args[0]))) {
        PyErr_SetString(PyExc_TypeError, "walk(node: dict | list, here: str, paths: list, values: list, join)");
        return NULL;
    }
    if (walk_node(args[0], args[1], args[2], args[3], args[4], 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------------------------------------
 * references: walk_references with its stack of (node, pointer) pairs */

typedef struct {
    PyObject **items; /* node, here, node, here, ...: owned; `first` until it is outgrown */
    Py_ssize_t size, room;
    PyObject *first[64];
} Stack;

static void stack_free(Stack *s) {
    if (s->items != s->first)
        PyMem_Free(s->items);
}

static int push(Stack *s, PyObject *node, PyObject *here) { /* steals `here` (may be NULL: failed) */
    if (here == NULL)
        return -1;
    if (s->room == 0) {
        s->items = s->first;
        s->room = 64;
    }
    if (s->size + 2 > s->room) {
        Py_ssize_t room = s->room * 2;
        PyObject **items = s->items == s->first ? PyMem_Malloc(room * sizeof(PyObject *))
                                                : PyMem_Realloc(s->items, room * sizeof(PyObject *));
        if (items == NULL) {
            Py_DECREF(here);
            PyErr_NoMemory();
            return -1;
        }
        if (s->items == s->first)
            memcpy(items, s->first, s->size * sizeof(PyObject *));
        s->items = items;
        s->room = room;
    }
    Py_INCREF(node);
    s->items[s->size++] = node;
    s->items[s->size++] = here;
    return 0;
}

typedef struct {
    PyObject *out, *reference, *check, *checked, *unchecked, *sub_names, *join;
    int pointers, known_check;
    Stack stack;
} Walk;

static int yield(Walk *w, PyObject *kind, PyObject *target, PyObject *attribute, PyObject *here, PyObject *value) {
    /* The named tuple made as tuple.__new__(Reference, fields) makes it, without a call into
     * its Python __new__: allocated as the subtype, then filled. */
    PyTypeObject *type = (PyTypeObject *)w->reference;
    PyObject *ref = type->tp_alloc(type, 5);
    if (ref == NULL)
        return -1;
    PyObject *fields[5] = {kind, target, attribute, here, value};
    for (int i = 0; i < 5; i++) {
        Py_INCREF(fields[i]);
        PyTuple_SET_ITEM(ref, i, fields[i]);
    }
    int r = PyList_Append(w->out, ref);
    Py_DECREF(ref);
    return r;
}

/* The functions the walks tell apart, by their key. */
enum { F_NONE, F_REF, F_CONDITION, F_GETATT, F_SUB, F_JOIN, F_SELECT, F_SPLIT, F_FINDINMAP, F_IF, F_IMPORTVALUE,
       F_EQUALS, F_NOT, F_AND, F_OR };

static const struct {
    const char *name;
    int kind;
} KNOWN[] = {
    {"Ref", F_REF},           {"Condition", F_CONDITION}, {"Fn::GetAtt", F_GETATT},   {"Fn::Sub", F_SUB},
    {"Fn::Join", F_JOIN},     {"Fn::Select", F_SELECT},   {"Fn::Split", F_SPLIT},     {"Fn::FindInMap", F_FINDINMAP},
    {"Fn::If", F_IF},         {"Fn::ImportValue", F_IMPORTVALUE}, {"Fn::Equals", F_EQUALS}, {"Fn::Not", F_NOT},
    {"Fn::And", F_AND},       {"Fn::Or", F_OR},
};

/* The function an exact str key names, F_NONE for any other key. */
static int function_kind(PyObject *key) {
    if (PyUnicode_READY(key) < 0) {
        PyErr_Clear();
        return F_NONE;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    if (n < 3 || n > 15)
        return F_NONE;
    if (PyUnicode_IS_COMPACT_ASCII(key)) {
        const char *text = (const char *)PyUnicode_1BYTE_DATA(key);
        for (size_t i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++)
            if ((Py_ssize_t)strlen(KNOWN[i].name) == n && memcmp(KNOWN[i].name, text, n) == 0)
                return KNOWN[i].kind;
        return F_NONE;
    }
    for (size_t i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++)
        if (PyUnicode_CompareWithASCIIString(key, KNOWN[i].name) == 0)
            return KNOWN[i].kind;
    return F_NONE;
}

static int text(PyObject *v) { return PyUnicode_CheckExact(v) || is_intrinsic(v); }
static int listy(PyObject *v) { return PyList_CheckExact(v) || is_intrinsic(v); }

/* 1 when shapes._check certainly finds `arg` fine for the function `key`; 0 when only _check
 * can tell. Each test here is a case where _check answers None. */
static int shape_fine(int kind, PyObject *arg) {
    int list = PyList_CheckExact(arg);
    Py_ssize_t n = list ? PyList_GET_SIZE(arg) : -1;
    switch (kind) {
    case F_REF:
        return PyUnicode_CheckExact(arg) && PyUnicode_GET_LENGTH(arg) > 0;
    case F_GETATT:
        return n == 2 && text(PyList_GET_ITEM(arg, 0)) && text(PyList_GET_ITEM(arg, 1));
    case F_SUB:
        return PyUnicode_CheckExact(arg) ||
               ((n == 1 || n == 2) && text(PyList_GET_ITEM(arg, 0)) &&
                (n == 1 || PyDict_CheckExact(PyList_GET_ITEM(arg, 1)) || is_intrinsic(PyList_GET_ITEM(arg, 1))));
    case F_JOIN:
        return n == 2 && text(PyList_GET_ITEM(arg, 0)) && listy(PyList_GET_ITEM(arg, 1));
    case F_IF:
        return n == 3 && PyUnicode_CheckExact(PyList_GET_ITEM(arg, 0));
    case F_IMPORTVALUE:
        return text(arg);
    case F_SELECT: {
        if (n != 2)
            return 0;
        PyObject *index = PyList_GET_ITEM(arg, 0);
        return (PyUnicode_CheckExact(index) || PyLong_CheckExact(index) || is_intrinsic(index)) &&
               listy(PyList_GET_ITEM(arg, 1));
    }
    case F_SPLIT:
        return n == 2 && text(PyList_GET_ITEM(arg, 0)) && text(PyList_GET_ITEM(arg, 1));
    case F_FINDINMAP:
        if (n != 3 && n != 4)
            return 0;
        for (Py_ssize_t i = 0; i < 3; i++) {
            PyObject *a = PyList_GET_ITEM(arg, i);
            if (!(text(a) || PyLong_CheckExact(a) || PyFloat_CheckExact(a) || PyBool_Check(a)))
                return 0;
        }
        return 1;
    case F_EQUALS:
        return n == 2;
    case F_NOT:
        return n == 1;
    case F_AND:
    case F_OR:
        return n >= 2 && n <= 10;
    default:
        return 0;
    }
}

/* function(), with `key` and `arg` held by the caller: the shape check is Python code, which
 * may change `node` and so drop what `node` alone holds. */
static int function_held(Walk *w, PyObject *node, PyObject *here, PyObject *key, PyObject *arg) {
    if (!PyUnicode_CheckExact(key)) {
        /* `key in checked`, `key == "Ref"`... are False, with no code of the key's run, only for these */
        if (key == Py_None || PyLong_CheckExact(key) || PyBool_Check(key) || PyFloat_CheckExact(key))
            return 0;
        return -2;
    }
    int kind = function_kind(key);
    if (w->check != Py_None) {
        int in = PySet_Check(w->checked) || PyFrozenSet_Check(w->checked) ? PySet_Contains(w->checked, key)
                                                                           : PySequence_Contains(w->checked, key);
        if (in < 0)
            return -1;
        if (in && !(w->known_check && shape_fine(kind, arg))) {
            PyObject *bad = PyObject_CallFunctionObjArgs(w->check, key, arg, NULL);
            if (bad == NULL)
                return -1;
            int truth = PyObject_IsTrue(bad);
            Py_DECREF(bad);
            if (truth < 0 || (truth && PyList_Append(w->unchecked, node) < 0))
                return -1;
        }
    }
    switch (kind) {
    case F_REF:
        if (PyUnicode_CheckExact(arg))
            return yield(w, s_kind_ref, arg, Py_None, here, Py_None) < 0 ? -1 : 1;
        return push(&w->stack, arg, PyUnicode_Concat(here, s_suffix_ref)) < 0 ? -1 : 1;
    case F_GETATT:
        if (PyUnicode_CheckExact(arg)) {
            PyObject *parts = PyUnicode_Partition(arg, s_dot);
            if (parts == NULL)
                return -1;
            PyObject *attribute = PyTuple_GET_ITEM(parts, 2);
            int r = yield(w, s_kind_getatt, PyTuple_GET_ITEM(parts, 0),
                          PyUnicode_GET_LENGTH(attribute) ? attribute : Py_None, here, Py_None);
            Py_DECREF(parts);
            return r < 0 ? -1 : 1;
        }
        if (PyList_CheckExact(arg) && PyList_GET_SIZE(arg) && PyUnicode_CheckExact(PyList_GET_ITEM(arg, 0))) {
            PyObject *target = PyList_GET_ITEM(arg, 0);
            if (PyList_GET_SIZE(arg) > 1 && !PyUnicode_CheckExact(PyList_GET_ITEM(arg, 1))) {
                if (yield(w, s_kind_getatt, target, Py_None, here, Py_None) < 0)
                    return -1;
                return push(&w->stack, PyList_GET_ITEM(arg, 1), PyUnicode_Concat(here, s_suffix_getatt1)) < 0 ? -1
                                                                                                                : 1;
            }
            PyObject *attribute = PyList_GET_SIZE(arg) > 1 ? PyList_GET_ITEM(arg, 1) : Py_None;
            return yield(w, s_kind_getatt, target, attribute, here, Py_None) < 0 ? -1 : 1;
        }
        if (w->check != Py_None && PyList_Append(w->unchecked, arg) < 0)
            return -1;
        return 1;
    case F_SUB: {
        PyObject *local = NULL, *subject = arg;
        if (PyList_CheckExact(arg) && PyList_GET_SIZE(arg)) {
            subject = PyList_GET_ITEM(arg, 0);
            if (PyList_GET_SIZE(arg) > 1) {
                PyObject *second = PyList_GET_ITEM(arg, 1);
                if (PyDict_CheckExact(second)) {
                    local = second;
                    if (push(&w->stack, local, PyUnicode_Concat(here, s_suffix_sub1)) < 0)
                        return -1;
                } else if (w->check != Py_None) {
                    PyObject *rest = PyList_GetSlice(arg, 1, PyList_GET_SIZE(arg));
                    int r = rest == NULL ? -1 : PyList_Append(w->unchecked, rest);
                    Py_XDECREF(rest);
                    if (r < 0)
                        return -1;
                }
            }
        }
        if (PyUnicode_CheckExact(subject)) {
            Py_INCREF(subject);
            Py_XINCREF(local);
            PyObject *names = PyObject_CallOneArg(w->sub_names, subject);
            int failed = names == NULL || !PyTuple_Check(names);
            for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(names); i++) {
                PyObject *one = PyTuple_GET_ITEM(names, i); /* (name, target, attribute) */
                if (!PyTuple_Check(one) || PyTuple_GET_SIZE(one) != 3) {
                    PyErr_SetString(PyExc_TypeError, "sub_names gave no (name, target, attribute)");
                    failed = 1;
                    break;
                }
                int bound = 0;
                if (local != NULL) {
                    bound = PyDict_Contains(local, PyTuple_GET_ITEM(one, 1));
                    if (bound == 0)
                        bound = PyDict_Contains(local, PyTuple_GET_ITEM(one, 0));
                }
                if (bound < 0 ||
                    (!bound && yield(w, s_kind_sub, PyTuple_GET_ITEM(one, 1), PyTuple_GET_ITEM(one, 2), here,
                                     Py_None) < 0))
                    failed = 1;
            }
            if (names != NULL && !PyErr_Occurred() && failed)
                PyErr_SetString(PyExc_TypeError, "sub_names gave no tuple");
            Py_XDECREF(names);
            Py_DECREF(subject);
            Py_XDECREF(local);
            return failed ? -1 : 1;
        }
        if (subject != arg)
            return push(&w->stack, subject, PyUnicode_Concat(here, s_suffix_sub0)) < 0 ? -1 : 1;
        if (w->check != Py_None && PyList_Append(w->unchecked, arg) < 0)
            return -1;
        return 1;
    }
    case F_IMPORTVALUE:
        if (yield(w, s_kind_importvalue, s_empty, Py_None, here, arg) < 0)
            return -1;
        return push(&w->stack, arg, PyUnicode_Concat(here, s_suffix_importvalue)) < 0 ? -1 : 1;
    case F_FINDINMAP:
        if (PyList_CheckExact(arg) && PyList_GET_SIZE(arg) && PyUnicode_CheckExact(PyList_GET_ITEM(arg, 0))) {
            if (yield(w, s_kind_findinmap, PyList_GET_ITEM(arg, 0), Py_None, here, Py_None) < 0)
                return -1;
            PyObject *base = PyUnicode_Concat(here, s_suffix_findinmap);
            if (base == NULL)
                return -1;
            int failed = 0;
            for (Py_ssize_t i = 1; !failed && i < PyList_GET_SIZE(arg); i++)
                failed = push(&w->stack, PyList_GET_ITEM(arg, i), extend_index(base, i)) < 0;
            Py_DECREF(base);
            return failed ? -1 : 1;
        }
        return push(&w->stack, arg, PyUnicode_Concat(here, s_suffix_findinmap)) < 0 ? -1 : 1;
    case F_IF:
        if (PyList_CheckExact(arg) && PyList_GET_SIZE(arg) && PyUnicode_CheckExact(PyList_GET_ITEM(arg, 0))) {
            if (yield(w, s_kind_condition, PyList_GET_ITEM(arg, 0), Py_None, here, Py_None) < 0)
                return -1;
            PyObject *base = PyUnicode_Concat(here, s_suffix_if);
            if (base == NULL)
                return -1;
            int failed = 0;
            for (Py_ssize_t i = PyList_GET_SIZE(arg) - 1; !failed && i > 0; i--)
                failed = push(&w->stack, PyList_GET_ITEM(arg, i), extend_index(base, i)) < 0;
            Py_DECREF(base);
            return failed ? -1 : 1;
        }
        return 0;
    case F_CONDITION:
        if (PyUnicode_CheckExact(arg))
            return yield(w, s_kind_condition, arg, Py_None, here, Py_None) < 0 ? -1 : 1;
        return 0;
    default:
        return 0;
    }
}

/* The one-key mapping `node`: its shape checked, and its references found. 1 when done with
 * it, 0 when its values are walked as a plain mapping's, -1 on an error, -2 to hand back. */
static int function(Walk *w, PyObject *node, PyObject *here) {
    Py_ssize_t pos = 0;
    PyObject *key, *arg;
    PyDict_Next(node, &pos, &key, &arg);
    Py_INCREF(key);
    Py_INCREF(arg);
    int done = function_held(w, node, here, key, arg);
    Py_DECREF(key);
    Py_DECREF(arg);
    return done;
}

/* The containers among a mapping's values, pushed last to first (walked first to last). */
static int push_values(Walk *w, PyObject *node, PyObject *here) {
    Py_ssize_t n = PyDict_GET_SIZE(node), count = 0, pos = 0;
    PyObject *k, *v;
    PyObject *few[32], **pairs = n <= 16 ? few : PyMem_Malloc(n * 2 * sizeof(PyObject *));
    if (pairs == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (PyDict_Next(node, &pos, &k, &v) && count < n) {
        if (PyDict_CheckExact(v) || PyList_CheckExact(v)) {
            Py_INCREF(k);
            Py_INCREF(v);
            pairs[2 * count] = k;
            pairs[2 * count + 1] = v;
            count++;
        }
    }
    int failed = 0;
    for (Py_ssize_t i = count - 1; i >= 0 && !failed; i--) {
        PyObject *at;
        if (!w->pointers) {
            at = here;
            Py_INCREF(at);
        } else {
            at = extend(here, pairs[2 * i], w->join);
        }
        failed = push(&w->stack, pairs[2 * i + 1], at) < 0;
    }
    for (Py_ssize_t i = 0; i < 2 * count; i++)
        Py_DECREF(pairs[i]);
    if (pairs != few)
        PyMem_Free(pairs);
    return failed ? -1 : 0;
}

static int step(Walk *w, PyObject *node, PyObject *here) {
    if (PyList_CheckExact(node)) {
        for (Py_ssize_t i = PyList_GET_SIZE(node) - 1; i >= 0; i--) {
            if (i >= PyList_GET_SIZE(node))
                continue;
            PyObject *v = PyList_GET_ITEM(node, i);
            if (PyDict_CheckExact(v) || PyList_CheckExact(v)) {
                PyObject *at = w->pointers ? extend_index(here, i) : (Py_INCREF(here), here);
                if (push(&w->stack, v, at) < 0)
                    return -1;
            }
        }
        return 0;
    }
    if (!PyDict_CheckExact(node))
        return 0;
    if (PyDict_GET_SIZE(node) == 1) {
        int done = function(w, node, here);
        if (done != 0)
            return done > 0 ? 0 : done;
    }
    return push_values(w, node, here);
}

/* The references of `value` below `path` into a new list, w->out; 0, or -1 on an error, -2 to
 * hand back. The stack is left empty (its room kept for the next run). */
static int run(Walk *w, PyObject *value, PyObject *path) {
    w->out = PyList_New(0);
    if (w->out == NULL)
        return -1;
    Py_INCREF(path);
    int r = push(&w->stack, value, path);
    while (r >= 0 && w->stack.size) {
        PyObject *here = w->stack.items[--w->stack.size];
        PyObject *node = w->stack.items[--w->stack.size];
        r = step(w, node, here);
        Py_DECREF(node);
        Py_DECREF(here);
    }
    while (w->stack.size)
        Py_DECREF(w->stack.items[--w->stack.size]);
    if (r < 0)
        Py_CLEAR(w->out);
    return r < 0 ? r : 0;
}

static int is_reference_type(PyObject *reference) {
    if (PyType_Check(reference) && PyType_IsSubtype((PyTypeObject *)reference, &PyTuple_Type))
        return 1;
    PyErr_SetString(PyExc_TypeError, "reference must be a tuple type");
    return 0;
}

static PyObject *references(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 10 || !PyUnicode_CheckExact(args[1]) || !PyList_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError, "references(value, path: str, pointers, check, checked, unchecked: list, "
                                         "known_check, sub_names, join, reference)");
        return NULL;
    }
    Walk w = {0};
    w.pointers = PyObject_IsTrue(args[2]);
    w.known_check = PyObject_IsTrue(args[6]);
    if (w.pointers < 0 || w.known_check < 0 || !is_reference_type(args[9]))
        return NULL;
    w.check = args[3];
    w.checked = args[4];
    w.unchecked = args[5];
    w.sub_names = args[7];
    w.join = args[8];
    w.reference = args[9];
    int r = run(&w, args[0], args[1]);
    stack_free(&w.stack);
    if (r == -2)
        Py_RETURN_NOTIMPLEMENTED;
    return r < 0 ? NULL : w.out;
}

/* shapes.checked_sections: (found, left) of a resource, or NotImplemented. */
static PyObject *sections(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8 || !PyTuple_Check(args[1]) || !PyAnySet_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "sections(res, sections: tuple, names: set, check, checked, sub_names, join, reference)");
        return NULL;
    }
    PyObject *res = args[0], *sections = args[1], *names = args[2];
    if (!PyDict_CheckExact(res))
        Py_RETURN_NOTIMPLEMENTED;
    if (!is_reference_type(args[7]))
        return NULL;
    Walk w = {0};
    w.pointers = 1;
    w.known_check = 1;
    w.check = args[3];
    w.checked = args[4];
    w.sub_names = args[5];
    w.join = args[6];
    w.reference = args[7];
    PyObject *found = PyList_New(0);
    w.unchecked = PyList_New(0);
    int r = found == NULL || w.unchecked == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; r == 0 && i < PyTuple_GET_SIZE(sections); i++) {
        PyObject *pair = PyTuple_GET_ITEM(sections, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(pair, 1))) {
            PyErr_SetString(PyExc_TypeError, "sections: each is (section, prefix: str)");
            r = -1;
            break;
        }
        PyObject *section = PyTuple_GET_ITEM(pair, 0), *prefix = PyTuple_GET_ITEM(pair, 1);
        PyObject *value = PyDict_GetItemWithError(res, section); /* borrowed */
        if (value == NULL) {
            r = PyErr_Occurred() ? -1 : 0;
            continue;
        }
        if (!(PyDict_CheckExact(value) || PyList_CheckExact(value)))
            continue;
        Py_INCREF(value);
        r = run(&w, value, prefix);
        Py_DECREF(value);
        if (r == 0) {
            PyObject *one = PyTuple_Pack(3, section, prefix, w.out);
            Py_CLEAR(w.out);
            r = one == NULL || PyList_Append(found, one) < 0 ? -1 : 0;
            Py_XDECREF(one);
        }
    }
    /* what the walks do not enter: the resource's other mappings and lists */
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (r == 0 && PyDict_Next(res, &pos, &k, &v)) {
        if (PyDict_CheckExact(v) || PyList_CheckExact(v)) {
            Py_INCREF(k);
            Py_INCREF(v);
            int named = PySet_Contains(names, k);
            r = named < 0 || (!named && PyList_Append(w.unchecked, v) < 0) ? -1 : 0;
            Py_DECREF(k);
            Py_DECREF(v);
        }
    }
    stack_free(&w.stack);
    PyObject *out = r == 0 ? PyTuple_Pack(2, found, w.unchecked) : NULL;
    Py_XDECREF(found);
    Py_XDECREF(w.unchecked);
    if (r == -2)
        Py_RETURN_NOTIMPLEMENTED;
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * driven_by: the driven_by cell of each leaf of the properties frame */

/* The memo key of a mapping leaf, as _driven_by makes it (a new reference), with its size; NULL
 * without an error when the leaf has no key of its own shape (marshal's bytes are tried next). */
static PyObject *shape_key(PyObject *value, Py_ssize_t *size) {
    if (PyDict_GET_SIZE(value) != 1)
        return NULL;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    PyDict_Next(value, &pos, &k, &v);
    if (!PyUnicode_CheckExact(k))
        return NULL;
    if (PyUnicode_CheckExact(v)) {
        *size = PyUnicode_GET_LENGTH(v);
        return PyTuple_Pack(2, k, v);
    }
    if (PyList_CheckExact(v)) {
        if (PyList_GET_SIZE(v) != 2)
            return NULL;
        PyObject *a = PyList_GET_ITEM(v, 0), *b = PyList_GET_ITEM(v, 1);
        if (!PyUnicode_CheckExact(a) || !PyUnicode_CheckExact(b))
            return NULL;
        *size = PyUnicode_GET_LENGTH(a) + PyUnicode_GET_LENGTH(b);
        PyObject *pair = PyTuple_Pack(2, a, b);
        if (pair == NULL)
            return NULL;
        PyObject *key = PyTuple_Pack(2, k, pair);
        Py_DECREF(pair);
        return key;
    }
    if (PyDict_CheckExact(v) && PyDict_GET_SIZE(v) == 1) {
        Py_ssize_t pos2 = 0;
        PyObject *k2, *text;
        PyDict_Next(v, &pos2, &k2, &text);
        if (!PyUnicode_CheckExact(k2) || !PyUnicode_CheckExact(text))
            return NULL;
        *size = PyUnicode_GET_LENGTH(text);
        return PyTuple_Pack(3, k, k2, text);
    }
    return NULL;
}

/* The cell of one mapping leaf (a new reference). */
static PyObject *driven_cell(PyObject *value, PyObject *labelled, PyObject *drivers) {
    Py_ssize_t size = 0;
    PyObject *key = shape_key(value, &size);
    if (key == NULL) {
        if (PyErr_Occurred())
            return NULL;
        key = PyMarshal_WriteObjectToString(value, 2);
        if (key == NULL) {
            if (!(PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError) ||
                  PyErr_ExceptionMatches(PyExc_RecursionError)))
                return NULL;
            PyErr_Clear(); /* no bytes of its own (a str subclass, say): labelled afresh */
            return PyObject_CallOneArg(drivers, value);
        }
        size = PyBytes_GET_SIZE(key);
    }
    PyObject *found = PyDict_GetItemWithError(labelled, key); /* borrowed */
    if (found != NULL) {
        Py_INCREF(found);
    } else if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    } else {
        PyObject *labels = PyObject_CallOneArg(drivers, value);
        int some = labels == NULL ? -1 : PyObject_IsTrue(labels);
        if (some < 0) {
            Py_XDECREF(labels);
            Py_DECREF(key);
            return NULL;
        }
        found = some ? PySequence_Tuple(labels) : Py_NewRef(Py_None);
        Py_DECREF(labels);
        if (found != NULL && size <= 1024) { /* a large leaf is rarely repeated: not kept */
            if (PyDict_GET_SIZE(labelled) >= 8192)
                PyDict_Clear(labelled);
            if (PyDict_SetItem(labelled, key, found) < 0)
                Py_CLEAR(found);
        }
        if (found == NULL) {
            Py_DECREF(key);
            return NULL;
        }
    }
    Py_DECREF(key);
    int some = PyObject_IsTrue(found);
    PyObject *cell = some < 0 ? NULL : some ? PySequence_List(found) : Py_NewRef(Py_None);
    Py_DECREF(found);
    return cell;
}

/* The cells of values[start:] appended to `out`. */
static int driven_cells(PyObject *values, Py_ssize_t start, PyObject *out, PyObject *labelled, PyObject *drivers) {
    /* the size is read again each time: drivers() is Python code */
    for (Py_ssize_t i = start; i < PyList_GET_SIZE(values); i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        PyObject *cell;
        if (PyDict_CheckExact(value)) {
            Py_INCREF(value);
            cell = driven_cell(value, labelled, drivers);
            Py_DECREF(value);
        } else {
            cell = Py_NewRef(Py_None);
        }
        if (cell == NULL || PyList_Append(out, cell) < 0) {
            Py_XDECREF(cell);
            return -1;
        }
        Py_DECREF(cell);
    }
    return 0;
}

static PyObject *driven_by(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyList_Check(args[0]) || !PyDict_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "driven_by(values: list, labelled: dict, drivers)");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL || driven_cells(args[0], 0, out, args[1], args[2]) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * properties: the loop of _properties over a piece's resources */

/* The leaves of one resource's Properties, as _leaves gives them; a value deeper than the C
 * recursion is handed to `leaves` (the Python _leaves) after what was walked is taken back. */
static int resource_leaves(PyObject *props, PyObject *here, PyObject *paths, PyObject *values, PyObject *join,
                           PyObject *leaves) {
    int walked = (PyDict_CheckExact(props) && PyDict_GET_SIZE(props) &&
                  (PyDict_GET_SIZE(props) != 1 || !is_intrinsic(props))) ||
                 (PyList_CheckExact(props) && PyList_GET_SIZE(props));
    if (!walked) {
        if (props == Py_None)
            return 0;
        return PyList_Append(paths, here) < 0 || PyList_Append(values, props) < 0 ? -1 : 0;
    }
    Py_ssize_t start = PyList_GET_SIZE(paths);
    if (walk_node(props, here, paths, values, join, 1) == 0)
        return 0;
    if (!PyErr_ExceptionMatches(PyExc_RecursionError))
        return -1;
    PyErr_Clear();
    if (PyList_SetSlice(paths, start, PyList_GET_SIZE(paths), NULL) < 0 ||
        PyList_SetSlice(values, start, PyList_GET_SIZE(values), NULL) < 0)
        return -1;
    PyObject *r = PyObject_CallFunctionObjArgs(leaves, props, here, paths, values, NULL);
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

/* `item` appended n times. */
static int repeat(PyObject *list, PyObject *item, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyList_Append(list, item) < 0)
            return -1;
    return 0;
}

/* The update behavior of paths[start:] (a resource of type rtype) appended to `updates`: read
 * from behaviors' memo `answers` (type -> one answer for every leaf, or a dict pointer ->
 * answer) when it holds them all, else asked of `behaviors` (which fills the memo). */
static int resource_updates(PyObject *rtype, PyObject *paths, Py_ssize_t start, PyObject *updates,
                            PyObject *answers, PyObject *behaviors) {
    Py_ssize_t end = PyList_GET_SIZE(paths), first = PyList_GET_SIZE(updates);
    PyObject *known = PyUnicode_CheckExact(rtype) ? PyDict_GetItemWithError(answers, rtype) : NULL; /* borrowed */
    if (known == NULL && PyErr_Occurred())
        return -1;
    if (known != NULL && PyUnicode_Check(known))
        return repeat(updates, known, end - start);
    if (known != NULL && PyDict_CheckExact(known)) {
        Py_INCREF(known);
        Py_ssize_t i = start;
        for (; i < end; i++) {
            PyObject *answer = PyDict_GetItemWithError(known, PyList_GET_ITEM(paths, i));
            if (answer == NULL || PyList_Append(updates, answer) < 0)
                break;
        }
        Py_DECREF(known);
        if (i == end)
            return 0;
        if (PyErr_Occurred() || PyList_SetSlice(updates, first, PyList_GET_SIZE(updates), NULL) < 0)
            return -1;
    }
    PyObject *pointers = PyList_GetSlice(paths, start, end);
    if (pointers == NULL)
        return -1;
    PyObject *found = PyObject_CallFunctionObjArgs(behaviors, rtype, pointers, NULL);
    Py_DECREF(pointers);
    if (found == NULL)
        return -1;
    int r = PyList_SetSlice(updates, first, first, found);
    Py_DECREF(found);
    return r;
}

static PyObject *properties(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8 || !PyList_Check(args[0]) || !PyUnicode_CheckExact(args[1]) || !PyDict_CheckExact(args[4]) ||
        !PyDict_CheckExact(args[6])) {
        PyErr_SetString(PyExc_TypeError, "properties(resources: list, here: str, join, leaves, answers: dict, "
                                         "behaviors, labelled: dict, drivers)");
        return NULL;
    }
    PyObject *resources = args[0], *here = args[1], *join = args[2], *leaves = args[3], *answers = args[4],
             *behaviors = args[5], *labelled = args[6], *drivers = args[7];
    PyObject *stacks = PyList_New(0), *logical_ids = PyList_New(0), *paths = PyList_New(0), *values = PyList_New(0),
             *updates = PyList_New(0), *driven = PyList_New(0);
    int failed =
        stacks == NULL || logical_ids == NULL || paths == NULL || values == NULL || updates == NULL || driven == NULL;
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(resources); i++) {
        PyObject *resource = PyList_GET_ITEM(resources, i);
        if (!PyTuple_CheckExact(resource) || PyTuple_GET_SIZE(resource) != 4) {
            failed = 2; /* not as a build gives them: the Python loop decides */
            break;
        }
        Py_INCREF(resource);
        PyObject *stack = PyTuple_GET_ITEM(resource, 0), *logical_id = PyTuple_GET_ITEM(resource, 1),
                 *rtype = PyTuple_GET_ITEM(resource, 2), *props = PyTuple_GET_ITEM(resource, 3);
        Py_ssize_t start = PyList_GET_SIZE(paths);
        failed = resource_leaves(props, here, paths, values, join, leaves) < 0;
        Py_ssize_t n = failed ? 0 : PyList_GET_SIZE(paths) - start;
        /* the driven_by cells now, while the leaves just walked are in the CPU's caches */
        if (n)
            failed = repeat(stacks, stack, n) < 0 || repeat(logical_ids, logical_id, n) < 0 ||
                     resource_updates(rtype, paths, start, updates, answers, behaviors) < 0 ||
                     driven_cells(values, start, driven, labelled, drivers) < 0;
        Py_DECREF(resource);
    }
    PyObject *out = failed == 2 ? Py_NewRef(Py_NotImplemented)
                    : failed    ? NULL
                                : PyTuple_Pack(6, stacks, logical_ids, paths, values, updates, driven);
    Py_XDECREF(driven);
    Py_XDECREF(stacks);
    Py_XDECREF(logical_ids);
    Py_XDECREF(paths);
    Py_XDECREF(values);
    Py_XDECREF(updates);
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * module */

static PyMethodDef methods[] = {
    {"too_deep", (PyCFunction)(void (*)(void))too_deep, METH_FASTCALL,
     "too_deep(value, limit) -> bool: limits.too_deep, for a limit up to MAX_LIMIT."},
    {"walk", (PyCFunction)(void (*)(void))walk, METH_FASTCALL,
     "walk(node, here, paths, values, join): model.build._walk; RecursionError past MAX_DEPTH."},
    {"references", (PyCFunction)(void (*)(void))references, METH_FASTCALL,
     "references(value, path, pointers, check, checked, unchecked, known_check, sub_names, join, reference) -> "
     "list of references, or NotImplemented when the Python walk must decide."},
    {"sections", (PyCFunction)(void (*)(void))sections, METH_FASTCALL,
     "sections(res, sections, names, check, checked, sub_names, join, reference) -> (found, left): "
     "cfn.shapes.checked_sections, or NotImplemented when the Python walk must decide."},
    {"driven_by", (PyCFunction)(void (*)(void))driven_by, METH_FASTCALL,
     "driven_by(values, labelled, drivers) -> list: model.build._driven_by, memoised in labelled."},
    {"properties", (PyCFunction)(void (*)(void))properties, METH_FASTCALL,
     "properties(resources, here, join, leaves, answers, behaviors, labelled, drivers) -> (stacks, logical_ids, "
     "paths, values, updates, driven_by): the loop of model.build._properties, or NotImplemented for a resource that is no 4-tuple."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walks", "The per-value walks of a template, in C.", -1, methods,
};

/* What iacviz/walks.py may trust a build with; bumped when a function is added or its meaning
 * changes (2: sections, 3: driven_by and properties, 4: properties gives driven_by). */
#define INTERFACE 4

static int intern(PyObject **slot, const char *text) {
    *slot = PyUnicode_InternFromString(text);
    return *slot == NULL ? -1 : 0;
}

PyMODINIT_FUNC PyInit__walks(void) {
    if (intern(&s_ref, "Ref") || intern(&s_fn, "Fn::") || intern(&s_condition, "Condition") ||
        intern(&s_kind_ref, "Ref") ||
        intern(&s_kind_getatt, "GetAtt") || intern(&s_kind_sub, "Sub") || intern(&s_kind_importvalue, "ImportValue") ||
        intern(&s_kind_findinmap, "FindInMap") || intern(&s_kind_condition, "Condition") || intern(&s_empty, "") ||
        intern(&s_dot, ".") || intern(&s_suffix_ref, "/Ref") || intern(&s_suffix_getatt1, "/Fn::GetAtt/1") ||
        intern(&s_suffix_sub0, "/Fn::Sub/0") || intern(&s_suffix_sub1, "/Fn::Sub/1") ||
        intern(&s_suffix_importvalue, "/Fn::ImportValue") || intern(&s_suffix_findinmap, "/Fn::FindInMap") || intern(&s_suffix_if, "/Fn::If"))
        return NULL;
    if (intern(&s_slash, "/"))
        return NULL;
    for (Py_ssize_t i = 0; i < SMALL_INDEXES; i++)
        if ((small_index[i] = PyUnicode_FromFormat("/%zd", i)) == NULL)
            return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && (PyModule_AddIntConstant(m, "INTERFACE", INTERFACE) < 0 ||
                      PyModule_AddIntConstant(m, "MAX_LIMIT", MAX_LIMIT) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
