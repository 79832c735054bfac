"""Small models in the style of the keras.io examples and the Keras guides,
one function per pattern (``keras`` in, an uncompiled model out), grouped by
the cause in issue 15's table they exercise."""

from __future__ import annotations


# ------------------------------------------------------- keras.ops / operators
def operator_mix(keras):
    x = keras.Input((6,))
    y = keras.Input((6,))
    h = keras.layers.Dense(6)(x)
    z = h * 2 + y - (-x) / 3.0
    return keras.Model([x, y], keras.layers.Dense(2)(z ** 2))


def matmul_weight_operator(keras):
    x = keras.Input((4, 6))
    w = keras.layers.Dense(6, use_bias=False)(x)
    scores = x @ keras.ops.transpose(w, (0, 2, 1))
    return keras.Model(x, keras.ops.softmax(scores, axis=-1))


def cls_token_slicing(keras):
    x = keras.Input((5, 8))
    h = keras.layers.Dense(8)(x)
    cls = h[:, 0]
    last = h[:, -1, :4]
    return keras.Model(x, keras.layers.Dense(3)(
        keras.ops.concatenate([cls, last], axis=-1)))


def where_and_reductions(keras):
    x = keras.Input((4, 6))
    h = keras.layers.Dense(6)(x)
    pos = keras.ops.where(h > 0, h, 0.1 * h)
    m = keras.ops.mean(pos, axis=1, keepdims=True)
    s = keras.ops.max(pos, axis=-1)
    n = keras.ops.sum(pos - m, axis=[1, 2])
    return keras.Model(x, [s, keras.ops.expand_dims(n, -1)])


def layer_norm_by_ops(keras):
    x = keras.Input((8,))
    mean = keras.ops.mean(x, axis=-1, keepdims=True)
    var = keras.ops.var(x, axis=-1, keepdims=True)
    y = (x - mean) * keras.ops.rsqrt(var + 1e-6)
    return keras.Model(x, keras.layers.Dense(2)(keras.ops.gelu(y)))


def einsum_bilinear(keras):
    a = keras.Input((5,))
    b = keras.Input((5,))
    ha = keras.layers.Dense(4)(a)
    hb = keras.layers.Dense(4)(b)
    return keras.Model([a, b], keras.ops.einsum("bi,bi->b", ha, hb))


# -------------------------------------------- keyword tensor arguments (ports)
def gru_seq2seq(keras):
    enc_in = keras.Input((None, 5))
    dec_in = keras.Input((None, 6))
    _, state = keras.layers.GRU(8, return_state=True)(enc_in)
    out = keras.layers.GRU(8, return_sequences=True)(dec_in, initial_state=state)
    return keras.Model([enc_in, dec_in], keras.layers.Dense(6)(out))


def bidirectional_lstm_states(keras):
    enc_in = keras.Input((4, 5))
    dec_in = keras.Input((3, 5))
    _, fh, fc, bh, bc = keras.layers.Bidirectional(
        keras.layers.LSTM(6, return_state=True))(enc_in)
    h = keras.layers.Concatenate()([fh, bh])
    c = keras.layers.Concatenate()([fc, bc])
    out = keras.layers.LSTM(12, return_sequences=True)(dec_in, initial_state=[h, c])
    return keras.Model([enc_in, dec_in], keras.layers.Dense(5)(out))


def mha_causal(keras):
    x = keras.Input((5, 8))
    att = keras.layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    y = keras.layers.LayerNormalization()(x + att)
    return keras.Model(x, keras.layers.Dense(3)(y))


def mha_padding_mask(keras):
    tokens = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(20, 8)(tokens)
    mask = keras.ops.cast(keras.ops.not_equal(tokens, 0), "int32")
    mask2 = keras.ops.expand_dims(mask, 1) * keras.ops.expand_dims(mask, 2)
    att = keras.layers.MultiHeadAttention(2, 4)(h, h, attention_mask=mask2)
    return keras.Model(tokens, keras.layers.GlobalAveragePooling1D()(att))


def embedding_mask_zero_lstm(keras):
    tokens = keras.Input((7,), dtype="int32")
    h = keras.layers.Embedding(30, 6, mask_zero=True)(tokens)
    h = keras.layers.LSTM(5, return_sequences=True)(h)
    h = keras.layers.GRU(4)(h)
    return keras.Model(tokens, keras.layers.Dense(2)(h))


# --------------------------------------------------------- parameter forms
def augmentation_forms(keras):
    x = keras.Input((12, 12, 3))
    h = keras.layers.RandomRotation(0.1)(x)
    h = keras.layers.RandomZoom((-0.2, 0.1), (-0.1, 0.2))(h)
    h = keras.layers.RandomTranslation(0.1, 0.1)(h)
    h = keras.layers.RandomFlip("horizontal")(h)
    h = keras.layers.Conv2D(4, 3, kernel_initializer=keras.initializers.Constant(
        [[[[0.1, -0.2, 0.3, 0.0]]]]))(h)
    return keras.Model(x, keras.layers.GlobalAveragePooling2D()(h))


# --------------------------------------------------- keras.io architectures
def mlp_mixer(keras):
    x = keras.Input((8, 8, 3))
    patches = keras.layers.Conv2D(8, 4, strides=4)(x)
    h = keras.layers.Reshape((4, 8))(patches)
    for _ in range(2):
        y = keras.layers.LayerNormalization(epsilon=1e-6)(h)
        y = keras.layers.Permute((2, 1))(y)
        y = keras.layers.Dense(4, activation="gelu")(y)
        y = keras.layers.Permute((2, 1))(y)
        h = keras.layers.Add()([h, y])
        y = keras.layers.LayerNormalization(epsilon=1e-6)(h)
        y = keras.layers.Dense(8, activation="gelu")(y)
        h = h + y
    h = keras.layers.GlobalAveragePooling1D()(h)
    return keras.Model(x, keras.layers.Dense(3)(h))


def conv_mixer(keras):
    x = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(8, 2, strides=2)(x)
    h = keras.layers.BatchNormalization()(keras.layers.Activation("gelu")(h))
    for _ in range(2):
        y = keras.layers.DepthwiseConv2D(3, padding="same")(h)
        y = keras.layers.BatchNormalization()(keras.layers.Activation("gelu")(y))
        h = keras.layers.Add()([y, h])
        h = keras.layers.Conv2D(8, 1)(h)
        h = keras.layers.BatchNormalization()(keras.layers.Activation("gelu")(h))
    h = keras.layers.GlobalAvgPool2D()(h)
    return keras.Model(x, keras.layers.Dense(3)(h))


def cct_tokenizer(keras):
    x = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(8, 3, padding="same", use_bias=False,
                            activation="relu")(x)
    h = keras.layers.ZeroPadding2D(1)(h)
    h = keras.layers.MaxPooling2D(3, 2, "same")(h)
    seq = keras.ops.reshape(h, (-1, h.shape[1] * h.shape[2], h.shape[-1]))
    att = keras.layers.MultiHeadAttention(2, 4, dropout=0.1)(seq, seq)
    seq = keras.layers.LayerNormalization()(seq + att)
    weights = keras.ops.softmax(keras.layers.Dense(1)(seq), axis=1)
    pooled = keras.ops.matmul(keras.ops.transpose(weights, (0, 2, 1)), seq)
    pooled = keras.ops.squeeze(pooled, -2)
    return keras.Model(x, keras.layers.Dense(3)(pooled))


def swin_window_partition(keras):
    x = keras.Input((4, 4, 6))
    h = keras.layers.Dense(6)(x)
    w = keras.ops.reshape(h, (-1, 2, 2, 2, 2, 6))
    w = keras.ops.transpose(w, (0, 1, 3, 2, 4, 5))
    windows = keras.ops.reshape(w, (-1, 4, 6))
    att = keras.layers.MultiHeadAttention(2, 3)(windows, windows)
    back = keras.ops.reshape(att, (-1, 2, 2, 2, 2, 6))
    back = keras.ops.transpose(back, (0, 1, 3, 2, 4, 5))
    back = keras.ops.reshape(back, (-1, 4, 4, 6))
    shifted = keras.ops.roll(back, shift=(1, 1), axis=(1, 2))
    return keras.Model(x, keras.layers.Dense(2)(shifted))


def timeseries_transformer(keras):
    x = keras.Input((6, 2))
    h = keras.layers.LayerNormalization(epsilon=1e-6)(x)
    h = keras.layers.MultiHeadAttention(key_dim=4, num_heads=2, dropout=0.1)(h, h)
    h = keras.layers.Dropout(0.1)(h)
    res = h + x
    h = keras.layers.LayerNormalization(epsilon=1e-6)(res)
    h = keras.layers.Conv1D(filters=4, kernel_size=1, activation="relu")(h)
    h = keras.layers.Conv1D(filters=x.shape[-1], kernel_size=1)(h)
    h = h + res
    h = keras.layers.GlobalAveragePooling1D(data_format="channels_last")(h)
    h = keras.layers.Dense(8, activation="relu")(h)
    return keras.Model(x, keras.layers.Dense(2)(h))


def vit_patches_position(keras):
    x = keras.Input((8, 8, 3))
    patches = keras.ops.image.extract_patches(x, 4)
    seq = keras.ops.reshape(patches, (-1, 4, 48))
    h = keras.layers.Dense(8)(seq)
    positions = keras.ops.expand_dims(keras.ops.arange(0, 4, 1), 0)
    h = h + keras.layers.Embedding(4, 8)(positions)
    h = keras.layers.MultiHeadAttention(2, 4)(h, h)
    return keras.Model(x, keras.layers.Dense(3)(keras.layers.Flatten()(h)))


OPERATIONS = [operator_mix, matmul_weight_operator, cls_token_slicing,
              where_and_reductions, layer_norm_by_ops, einsum_bilinear]
KEYWORDS = [gru_seq2seq, bidirectional_lstm_states, mha_causal, mha_padding_mask,
            embedding_mask_zero_lstm]
FORMS = [augmentation_forms]
ARCHITECTURES = [mlp_mixer, conv_mixer, cct_tokenizer, swin_window_partition,
                 timeseries_transformer, vit_patches_position]


# ------------------------------------------------ dict I/O and adapt() state
def structured_data_classifier(keras):
    """keras.io structured data: named inputs, lookups and normalisation
    adapted on data, a dict in and a dict out."""
    import numpy as np

    sex = keras.Input((1,), name="sex", dtype="string")
    thal = keras.Input((1,), name="thal", dtype="int64")
    age = keras.Input((1,), name="age")
    sex_lookup = keras.layers.StringLookup(output_mode="one_hot")
    sex_lookup.adapt(np.array([["male"], ["female"], ["male"]]))
    thal_lookup = keras.layers.IntegerLookup(output_mode="one_hot")
    thal_lookup.adapt(np.array([[1], [2], [3], [2]], dtype="int64"))
    norm = keras.layers.Normalization()
    norm.adapt(np.array([[29.0], [54.0], [61.0], [40.0]]))
    feats = keras.layers.concatenate([sex_lookup(sex), thal_lookup(thal), norm(age)])
    h = keras.layers.Dense(8, activation="relu")(feats)
    return keras.Model({"sex": sex, "thal": thal, "age": age},
                       {"target": keras.layers.Dense(1, name="target")(h),
                        "risk": keras.layers.Dense(2, name="risk")(h)})


def text_vectorization_classifier(keras):
    import numpy as np

    text = keras.Input((1,), dtype="string")
    vec = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vec.adapt(np.array(["the cat sat", "a dog ran far", "the dog sat"]))
    h = keras.layers.Embedding(20, 4)(vec(text))
    h = keras.layers.GlobalAveragePooling1D()(h)
    return keras.Model(text, keras.layers.Dense(2)(h))


# ----------------------------------------------------- more keras.io patterns
def attention_layer_masks(keras):
    q = keras.Input((4, 6))
    v = keras.Input((5, 6))
    qm = keras.Input((4,), dtype="bool")
    vm = keras.Input((5,), dtype="bool")
    att = keras.layers.Attention(use_scale=True)([q, v], mask=[qm, vm])
    return keras.Model([q, v, qm, vm], keras.layers.Dense(2)(att))


def conv1d_text_cnn(keras):
    tokens = keras.Input((12,), dtype="int32")
    h = keras.layers.Embedding(40, 8)(tokens)
    h = keras.layers.Dropout(0.2)(h)
    h = keras.layers.Conv1D(8, 3, padding="valid", activation="relu", strides=2)(h)
    h = keras.layers.GlobalMaxPooling1D()(h)
    return keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid")(h))


def stacked_cells_rnn(keras):
    x = keras.Input((4, 3))
    h = keras.layers.RNN(keras.layers.LSTMCell(5), return_sequences=True)(x)
    h = keras.layers.TimeDistributed(keras.layers.Dense(3))(h)
    return keras.Model(x, keras.layers.SimpleRNN(2)(h))


def autoencoder_conv_transpose(keras):
    x = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, activation="relu", padding="same", strides=2)(x)
    h = keras.layers.Conv2DTranspose(4, 3, strides=2, activation="relu",
                                     padding="same")(h)
    y = keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same")(h)
    return keras.Model(x, y)


def squeeze_excite_ops(keras):
    x = keras.Input((6, 6, 8))
    s = keras.ops.mean(x, axis=(1, 2), keepdims=True)
    s = keras.layers.Dense(2, activation="relu")(s)
    s = keras.layers.Dense(8, activation="sigmoid")(s)
    y = x * s
    return keras.Model(x, keras.layers.GlobalAveragePooling2D()(y))


DICT_STATE = [structured_data_classifier, text_vectorization_classifier]
MORE = [attention_layer_masks, conv1d_text_cnn, stacked_cells_rnn,
        autoencoder_conv_transpose, squeeze_excite_ops]
