package nl.smokkelradar.elasticsearch;

import java.util.Map;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * The {@code keyword} and {@code whitespace} tokenizers of Elasticsearch's analysis-common
 * module; the server alone has only {@code standard}. Phone numbers and handles are analysed
 * as whole tokens, which needs one of these two.
 */
final class Tokenizers {

    private Tokenizers() {}

    static Map<String, AnalysisProvider<TokenizerFactory>> providers() {
        return Map.of(
            "keyword",
            (indexSettings, environment, name, settings) -> {
                int bufferSize = settings.getAsInt("buffer_size", KeywordTokenizer.DEFAULT_BUFFER_SIZE);
                return new AbstractTokenizerFactory(indexSettings, settings, name) {
                    @Override
                    public Tokenizer create() {
                        return new KeywordTokenizer(bufferSize);
                    }
                };
            },
            "whitespace",
            (indexSettings, environment, name, settings) -> {
                int maxTokenLength = settings.getAsInt("max_token_length", 255);
                return new AbstractTokenizerFactory(indexSettings, settings, name) {
                    @Override
                    public Tokenizer create() {
                        return new WhitespaceTokenizer(WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength);
                    }
                };
            }
        );
    }
}
