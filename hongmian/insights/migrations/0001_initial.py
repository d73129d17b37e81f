# The classifiers and the hot spots, moved here from the hotline (decision 0024). Their tables
# exist already: hotline/0005 renamed them to these names, with every row in them. So this
# migration creates the four models in the migration state only and touches no table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('hotline', '0005_move_insights_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ClassifierModel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('target', models.CharField(choices=[('category_l1', '一级分类'), ('category_l2', '二级分类'), ('category_l3', '三级分类'), ('unit', '承办单位')], max_length=16, verbose_name='预测对象')),
                        ('version', models.PositiveIntegerField(verbose_name='版本号')),
                        ('artefact', models.BinaryField(verbose_name='模型文件')),
                        ('artefact_sha256', models.CharField(max_length=64, verbose_name='模型文件校验值')),
                        ('source', models.CharField(blank=True, max_length=300, verbose_name='来源')),
                        ('training_fingerprint', models.CharField(max_length=64, verbose_name='训练数据指纹')),
                        ('training_rows', models.PositiveIntegerField(default=0, verbose_name='训练样本数')),
                        ('labels', models.JSONField(default=list, verbose_name='标签集')),
                        ('label_map', models.JSONField(blank=True, default=dict, verbose_name='标签映射')),
                        ('metrics', models.JSONField(blank=True, default=dict, verbose_name='评估指标')),
                        ('is_active', models.BooleanField(default=False, verbose_name='启用')),
                        ('activated_at', models.DateTimeField(blank=True, null=True, verbose_name='启用时间')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ],
                    options={
                        'verbose_name': '分类模型',
                        'verbose_name_plural': '分类模型',
                        'ordering': ['target', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='ClassificationFeedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('target', models.CharField(choices=[('category_l1', '一级分类'), ('category_l2', '二级分类'), ('category_l3', '三级分类'), ('unit', '承办单位')], max_length=16, verbose_name='预测对象')),
                        ('suggested_label', models.CharField(blank=True, max_length=100, verbose_name='建议标签')),
                        ('confidence', models.FloatField(blank=True, null=True, verbose_name='置信度')),
                        ('confirmed_label', models.CharField(max_length=100, verbose_name='确认标签')),
                        ('agreed', models.BooleanField(default=False, verbose_name='建议被采纳')),
                        ('source', models.CharField(choices=[('agent_correction', '坐席确认或更正'), ('return', '退单'), ('dispatch', '派单')], max_length=20, verbose_name='反馈来源')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='classification_feedback', to='hotline.workorder', verbose_name='工单')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                        ('model', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feedback', to='insights.classifiermodel', verbose_name='模型版本')),
                    ],
                    options={
                        'verbose_name': '分类反馈',
                        'verbose_name_plural': '分类反馈',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Hotspot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scanned_at', models.DateTimeField(db_index=True, verbose_name='扫描时间')),
                        ('rank', models.PositiveSmallIntegerField(verbose_name='排名')),
                        ('heat', models.FloatField(verbose_name='热度指数')),
                        ('reports', models.PositiveIntegerField(verbose_name='工单数')),
                        ('callers', models.PositiveIntegerField(verbose_name='诉求人数')),
                        ('started_at', models.DateTimeField(verbose_name='首张工单时间')),
                        ('ended_at', models.DateTimeField(verbose_name='最新工单时间')),
                        ('place_code', models.CharField(blank=True, max_length=9, verbose_name='地点代码')),
                        ('place_label', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                        ('keywords', models.JSONField(default=list, verbose_name='关键词')),
                        ('title', models.CharField(max_length=200, verbose_name='代表性标题')),
                        ('order_ids', models.JSONField(default=list, verbose_name='工单')),
                        ('bursting', models.BooleanField(default=False, verbose_name='正在激增')),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='明细')),
                        ('representative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='hotline.workorder', verbose_name='代表性工单')),
                    ],
                    options={
                        'verbose_name': '热点诉求',
                        'verbose_name_plural': '热点诉求',
                        'ordering': ['-scanned_at', 'rank'],
                    },
                ),
                migrations.CreateModel(
                    name='HotspotAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('day', models.DateField(verbose_name='激增日期')),
                        ('count', models.PositiveIntegerField(verbose_name='当日工单数')),
                        ('expected', models.FloatField(verbose_name='预期工单数')),
                        ('p_value', models.FloatField(verbose_name='显著性')),
                        ('title', models.CharField(max_length=200, verbose_name='代表性标题')),
                        ('keywords', models.JSONField(default=list, verbose_name='关键词')),
                        ('place_label', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                        ('heat', models.FloatField(verbose_name='热度指数')),
                        ('order_ids', models.JSONField(default=list, verbose_name='工单')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='知悉时间')),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='知悉人')),
                        ('representative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='hotline.workorder', verbose_name='代表性工单')),
                    ],
                    options={
                        'verbose_name': '热点预警',
                        'verbose_name_plural': '热点预警',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='classifiermodel',
                    constraint=models.UniqueConstraint(fields=('target', 'version'), name='hotline_classifier_target_version'),
                ),
                migrations.AddConstraint(
                    model_name='classifiermodel',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('target',), name='hotline_one_active_classifier_per_target'),
                ),
                migrations.AddIndex(
                    model_name='classificationfeedback',
                    index=models.Index(fields=['target', 'source', 'created_at'], name='hotline_feedback_idx'),
                ),
                migrations.AddConstraint(
                    model_name='classificationfeedback',
                    constraint=models.CheckConstraint(condition=models.Q(('confidence__isnull', True), models.Q(('confidence__gte', 0), ('confidence__lte', 1)), _connector='OR'), name='hotline_feedback_confidence_0_to_1'),
                ),
                migrations.AddConstraint(
                    model_name='classificationfeedback',
                    constraint=models.CheckConstraint(condition=models.Q(('confirmed_label', ''), _negated=True), name='hotline_feedback_confirmed_not_blank'),
                ),
                migrations.AddConstraint(
                    model_name='hotspot',
                    constraint=models.UniqueConstraint(fields=('scanned_at', 'rank'), name='hotline_hotspot_one_rank_per_scan'),
                ),
                migrations.AddIndex(
                    model_name='hotspotalert',
                    index=models.Index(condition=models.Q(('acknowledged_at__isnull', True)), fields=['created_at'], name='hotline_alert_open'),
                ),
                migrations.AddConstraint(
                    model_name='hotspotalert',
                    constraint=models.CheckConstraint(condition=models.Q(('acknowledged_at__isnull', True), ('acknowledged_by__isnull', False), _connector='OR'), name='hotline_alert_ack_has_person'),
                ),
            ],
        ),
    ]
